import type { Clock } from '../../../clock';
import type { MetaAppConfig, MetaSendConfig } from '../../../config';
import {
	type ConnectedIdentity,
	expiryIn,
	isRecord,
	type OAuthProvider,
	ProviderAuthError,
	ProviderCallError,
	type ProvenChannel,
	providerRequest,
	type ProviderResponse,
	retryAfterOf,
} from './provider';

/**
 * What the connection asks of the person: list their pages, message as them, subscribe the app to their webhooks, and
 * the same for the Instagram business accounts linked to those pages.
 */
export const META_SCOPES = [
	'pages_show_list',
	'pages_messaging',
	'pages_manage_metadata',
	'instagram_basic',
	'instagram_manage_messages',
] as const;

/** The page webhooks the pipeline listens to (messages, and comments through the page feed). */
const PAGE_WEBHOOK_FIELDS = 'messages,messaging_postbacks,feed';

/** Graph error codes that mean "slow down" (app, user, page and custom rate limits). */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80001, 80006]);

interface GraphError {
	message: string;
	code: number | undefined;
}

function graphErrorOf(response: ProviderResponse): GraphError {
	const error = isRecord(response.body) && isRecord(response.body.error) ? response.body.error : {};
	return {
		message: typeof error.message === 'string' ? error.message : `Graph answered ${response.status}`,
		code: typeof error.code === 'number' ? error.code : undefined,
	};
}

/**
 * Facebook Login for the pages a person manages and the Instagram business accounts linked to them. The user token is
 * exchanged for a long-lived one (60 days); the page tokens read with it do not expire, and they are what sends each
 * page's (and its Instagram account's) replies. Meta has no refresh token: a user token that lapses means connecting
 * again, which the account's `reauth_required` status asks for.
 */
export class MetaProvider implements OAuthProvider {
	readonly id = 'meta' as const;
	readonly usesPkce = false;
	readonly refresh = null;

	constructor(
		private readonly app: MetaAppConfig,
		private readonly clock: Clock,
	) {}

	private graph(path: string, query: Record<string, string> = {}): string {
		const url = new URL(`${this.app.graphUrl}/${this.app.graphVersion}/${path}`);
		for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
		return url.toString();
	}

	authorizationUrl({ state, redirectUri }: { state: string; redirectUri: string }): string {
		const url = new URL(`${this.app.dialogUrl}/${this.app.graphVersion}/dialog/oauth`);
		url.search = new URLSearchParams({
			client_id: this.app.appId,
			redirect_uri: redirectUri,
			state,
			response_type: 'code',
			scope: META_SCOPES.join(','),
		}).toString();
		return url.toString();
	}

	/** A Graph GET in the OAuth flow: any refusal is the person's to fix (connect again), a 5xx is Meta's. */
	private async oauthGet(path: string, query: Record<string, string>, token?: string): Promise<Record<string, unknown>> {
		const response = await providerRequest(this.graph(path, query), {
			headers: token ? { authorization: `Bearer ${token}` } : {},
		});
		if (response.status >= 500 || !isRecord(response.body)) {
			throw new ProviderAuthError('unavailable', `Meta answered ${response.status}`);
		}
		if (response.status !== 200) throw new ProviderAuthError('rejected', graphErrorOf(response).message);
		return response.body;
	}

	async connect({ code, redirectUri }: { code: string; redirectUri: string }): Promise<ConnectedIdentity> {
		const credentials = { client_id: this.app.appId, client_secret: this.app.appSecret };
		const shortLived = await this.oauthGet('oauth/access_token', { ...credentials, redirect_uri: redirectUri, code });
		const longLived = await this.oauthGet('oauth/access_token', {
			...credentials,
			grant_type: 'fb_exchange_token',
			fb_exchange_token: String(shortLived.access_token),
		});
		const userToken = String(longLived.access_token);
		const me = await this.oauthGet('me', { fields: 'id,name' }, userToken);
		const pages = await this.oauthGet(
			'me/accounts',
			{ fields: 'id,name,access_token,instagram_business_account{id,username}', limit: '100' },
			userToken,
		);
		const channels: ProvenChannel[] = [];
		for (const page of Array.isArray(pages.data) ? pages.data.filter(isRecord) : []) {
			const pageToken = String(page.access_token);
			await this.subscribeApp(String(page.id), pageToken);
			channels.push({ provider: 'messenger', externalId: String(page.id), name: stringOrNull(page.name), accessToken: pageToken });
			const instagram = page.instagram_business_account;
			if (isRecord(instagram)) {
				channels.push({
					provider: 'instagram',
					externalId: String(instagram.id),
					name: stringOrNull(instagram.username),
					accessToken: pageToken,
				});
			}
		}
		return {
			externalId: String(me.id),
			name: stringOrNull(me.name),
			tokens: {
				accessToken: userToken,
				refreshToken: null,
				expiresAt: expiryIn(longLived.expires_in, this.clock()),
				refreshExpiresAt: null,
				scopes: META_SCOPES.join(','),
			},
			channels,
		};
	}

	/** The page's webhooks reach the app (and so the SkyBot Meta Trigger) only once the app is subscribed to the page. */
	private async subscribeApp(pageId: string, pageToken: string): Promise<void> {
		const response = await providerRequest(this.graph(`${pageId}/subscribed_apps`), {
			method: 'POST',
			headers: { authorization: `Bearer ${pageToken}`, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ subscribed_fields: PAGE_WEBHOOK_FIELDS }).toString(),
		});
		if (response.status >= 500) throw new ProviderAuthError('unavailable', `Meta answered ${response.status}`);
		if (response.status !== 200) {
			throw new ProviderAuthError('rejected', `Subscribing the app to page ${pageId}: ${graphErrorOf(response).message}`);
		}
	}

	async revoke({ accessToken, externalId }: { accessToken: string; externalId: string }): Promise<void> {
		await providerRequest(this.graph(`${externalId}/permissions`), {
			method: 'DELETE',
			headers: { authorization: `Bearer ${accessToken}` },
		});
	}
}

/** The Send API (Messenger and Instagram; WhatsApp Cloud API's own shape), with whichever token the caller holds. */
export class MetaSendApi {
	constructor(private readonly config: MetaSendConfig) {}

	/** A DM to `recipientId` (a private reply to `commentId`), or a WhatsApp text: the id Meta gave it. */
	async send(
		accessToken: string,
		request: { provider: 'messenger' | 'instagram' | 'whatsapp'; accountExternalId: string; recipientId: string; text: string; commentId?: string },
	): Promise<string> {
		const body =
			request.provider === 'whatsapp'
				? { messaging_product: 'whatsapp', to: request.recipientId, type: 'text', text: { body: request.text } }
				: {
						recipient: request.commentId ? { comment_id: request.commentId } : { id: request.recipientId },
						messaging_type: 'RESPONSE',
						message: { text: request.text },
					};
		let response: ProviderResponse;
		try {
			response = await providerRequest(`${this.config.graphUrl}/${this.config.graphVersion}/${request.accountExternalId}/messages`, {
				method: 'POST',
				headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
		} catch (error) {
			throw new ProviderCallError('failed', (error as Error).message);
		}
		const sent = response.status === 200 && isRecord(response.body) ? response.body : undefined;
		const messageId = typeof sent?.message_id === 'string'
			? sent.message_id
			: Array.isArray(sent?.messages) && isRecord(sent.messages[0]) && typeof sent.messages[0].id === 'string'
				? sent.messages[0].id
				: undefined;
		if (messageId) return messageId;
		const error = graphErrorOf(response);
		if (error.code === 190 || response.status === 401) throw new ProviderCallError('auth', error.message);
		if (error.code !== undefined && RATE_LIMIT_CODES.has(error.code)) {
			throw new ProviderCallError('rate_limited', error.message, retryAfterOf(response.headers));
		}
		throw new ProviderCallError('failed', error.message);
	}
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
