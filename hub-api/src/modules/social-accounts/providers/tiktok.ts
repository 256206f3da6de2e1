import type { Clock } from '../../../clock';
import type { TikTokAppConfig } from '../../../config';
import {
	type ConnectedIdentity,
	expiryIn,
	isRecord,
	type OAuthProvider,
	ProviderAuthError,
	ProviderCallError,
	providerRequest,
	type ProviderResponse,
	type ProviderTokens,
} from './provider';

/** Read the business profile, manage comments and send direct messages. */
export const TIKTOK_SCOPES = ['user.info.basic', 'user.info.username', 'comment.list', 'comment.list.manage', 'message.list.read', 'message.list.send'] as const;

/**
 * The API for Business answers HTTP 200 with `code != 0` on failure. These codes mean the access token is expired,
 * missing or revoked (the account must refresh or reconnect) and "too many requests".
 */
const TOKEN_INVALID_CODES = new Set([40102, 40104, 40105]);
const RATE_LIMITED_CODE = 40100;

interface TikTokEnvelope {
	code: number;
	message: string;
	data: Record<string, unknown>;
}

function envelopeOf(response: ProviderResponse): TikTokEnvelope | null {
	const body = response.body;
	if (!isRecord(body) || typeof body.code !== 'number') return null;
	return {
		code: body.code,
		message: typeof body.message === 'string' ? body.message : `TikTok answered code ${body.code}`,
		data: isRecord(body.data) ? body.data : {},
	};
}

/**
 * TikTok API for Business, TikTok accounts: authorize on tiktok.com, `tt_user/oauth2/token/` for the code,
 * `…/refresh_token/` (access tokens live a day, refresh tokens a year) and `…/revoke/`. The token's `open_id` is the
 * business id every later call names.
 */
export class TikTokProvider implements OAuthProvider {
	readonly id = 'tiktok' as const;
	// TikTok's business authorization takes no code_challenge: the state alone binds the callback.
	readonly usesPkce = false;

	constructor(
		private readonly app: TikTokAppConfig,
		private readonly clock: Clock,
	) {}

	authorizationUrl({ state, redirectUri }: { state: string; redirectUri: string }): string {
		const url = new URL(this.app.authorizeUrl);
		url.search = new URLSearchParams({
			client_key: this.app.appId,
			scope: TIKTOK_SCOPES.join(','),
			response_type: 'code',
			redirect_uri: redirectUri,
			state,
		}).toString();
		return url.toString();
	}

	/** A POST of the OAuth endpoints: code != 0 is a refusal to reconnect over, anything unreadable is TikTok's. */
	private async oauthPost(path: string, body: Record<string, string>): Promise<Record<string, unknown>> {
		const response = await providerRequest(`${this.app.apiUrl}/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ client_id: this.app.appId, client_secret: this.app.appSecret, ...body }),
		});
		const envelope = envelopeOf(response);
		if (!envelope || response.status >= 500) throw new ProviderAuthError('unavailable', `TikTok answered ${response.status}`);
		if (envelope.code !== 0) throw new ProviderAuthError('rejected', envelope.message);
		return envelope.data;
	}

	private tokensOf(data: Record<string, unknown>): ProviderTokens {
		if (typeof data.access_token !== 'string' || typeof data.open_id !== 'string') {
			throw new ProviderAuthError('unavailable', 'TikTok answered tokens without access_token or open_id');
		}
		return {
			accessToken: data.access_token,
			refreshToken: typeof data.refresh_token === 'string' ? data.refresh_token : null,
			expiresAt: expiryIn(data.expires_in, this.clock()),
			refreshExpiresAt: expiryIn(data.refresh_token_expires_in, this.clock()),
			scopes: typeof data.scope === 'string' ? data.scope : null,
		};
	}

	async connect({ code, redirectUri }: { code: string; redirectUri: string }): Promise<ConnectedIdentity> {
		const data = await this.oauthPost('tt_user/oauth2/token/', {
			grant_type: 'authorization_code',
			auth_code: code,
			redirect_uri: redirectUri,
		});
		const tokens = this.tokensOf(data);
		const openId = String(data.open_id);
		const profile = await this.call(tokens.accessToken, 'GET', 'business/get/', {
			business_id: openId,
			fields: JSON.stringify(['username', 'display_name']),
		}).catch((error: unknown) => {
			throw new ProviderAuthError(error instanceof ProviderCallError && error.kind === 'auth' ? 'rejected' : 'unavailable', (error as Error).message);
		});
		const name = typeof profile.display_name === 'string' ? profile.display_name : typeof profile.username === 'string' ? profile.username : null;
		return {
			externalId: openId,
			name,
			tokens,
			channels: [{ provider: 'tiktok', externalId: openId, name, accessToken: null }],
		};
	}

	refresh = async (refreshToken: string): Promise<ProviderTokens> =>
		this.tokensOf(await this.oauthPost('tt_user/oauth2/refresh_token/', { grant_type: 'refresh_token', refresh_token: refreshToken }));

	async revoke({ accessToken }: { accessToken: string }): Promise<void> {
		await this.oauthPost('tt_user/oauth2/revoke/', { access_token: accessToken });
	}

	/** One API for Business call with the account's token (the `Access-Token` header, no Bearer), its data or a ProviderCallError. */
	async call(
		accessToken: string,
		method: 'GET' | 'POST',
		path: string,
		params: Record<string, unknown>,
	): Promise<Record<string, unknown>> {
		const url = new URL(`${this.app.apiUrl}/${path}`);
		if (method === 'GET') for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
		let response: ProviderResponse;
		try {
			response = await providerRequest(url.toString(), {
				method,
				headers: { 'access-token': accessToken, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
				...(method === 'POST' ? { body: JSON.stringify(params) } : {}),
			});
		} catch (error) {
			throw new ProviderCallError('failed', (error as Error).message);
		}
		const envelope = envelopeOf(response);
		if (!envelope) throw new ProviderCallError('failed', `TikTok answered ${response.status} without its envelope`);
		if (envelope.code === 0) return envelope.data;
		if (TOKEN_INVALID_CODES.has(envelope.code)) throw new ProviderCallError('auth', envelope.message);
		if (envelope.code === RATE_LIMITED_CODE) throw new ProviderCallError('rate_limited', envelope.message, 60);
		throw new ProviderCallError('failed', `${envelope.message} (TikTok code ${envelope.code})`);
	}

	async replyToComment(accessToken: string, request: { businessId: string; videoId: string; commentId: string; text: string }): Promise<string> {
		const data = await this.call(accessToken, 'POST', 'business/comment/reply/create/', {
			business_id: request.businessId,
			video_id: request.videoId,
			comment_id: request.commentId,
			text: request.text,
		});
		return String(data.comment_id ?? '');
	}

	/** One page of a video's comments (`business/comment/list/`), TikTok's comment objects unchanged. */
	async listComments(
		accessToken: string,
		request: { businessId: string; videoId: string; cursor?: number },
	): Promise<{ comments: unknown[]; cursor: number; hasMore: boolean }> {
		const data = await this.call(accessToken, 'GET', 'business/comment/list/', {
			business_id: request.businessId,
			video_id: request.videoId,
			cursor: request.cursor ?? 0,
			max_count: 30,
		});
		return {
			comments: Array.isArray(data.comments) ? data.comments : [],
			cursor: typeof data.cursor === 'number' ? data.cursor : 0,
			hasMore: data.has_more === true,
		};
	}

	async sendMessage(accessToken: string, request: { businessId: string; conversationId: string; text: string }): Promise<string> {
		const data = await this.call(accessToken, 'POST', 'business/message/send/', {
			business_id: request.businessId,
			recipient_type: 'CONVERSATION',
			recipient: request.conversationId,
			message_type: 'TEXT',
			text: { body: request.text },
		});
		const message = isRecord(data.message) ? data.message : data;
		return String(message.message_id ?? '');
	}
}
