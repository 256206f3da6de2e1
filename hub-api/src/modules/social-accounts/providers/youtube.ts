import { auth, youtube, type youtube_v3 } from '@googleapis/youtube';
import type { Clock } from '../../../clock';
import type { GoogleAppConfig } from '../../../config';
import {
	type ConnectedIdentity,
	isRecord,
	type OAuthProvider,
	PROVIDER_TIMEOUT_MS,
	ProviderAuthError,
	ProviderCallError,
	type ProviderTokens,
} from './provider';

/** Manage the channel's comments (list threads, reply). */
export const YOUTUBE_SCOPES = ['https://www.googleapis.com/auth/youtube.force-ssl'] as const;

type OAuth2Client = InstanceType<typeof auth.OAuth2>;

/** What gaxios (under googleapis) throws for an HTTP error: the status and Google's error body. */
interface GoogleHttpError {
	status?: number;
	response?: { status?: number; data?: unknown; headers?: unknown };
	message: string;
}

function googleFailure(error: unknown): { status: number | undefined; reason: string | undefined; message: string } {
	const failure = error as GoogleHttpError;
	const status = failure.response?.status ?? failure.status;
	const body = isRecord(failure.response?.data) ? failure.response.data : {};
	const googleError = isRecord(body.error) ? body.error : {};
	const reasons = Array.isArray(googleError.errors) ? googleError.errors.filter(isRecord) : [];
	return {
		status,
		reason: typeof reasons[0]?.reason === 'string' ? reasons[0].reason : undefined,
		message:
			typeof googleError.message === 'string'
				? googleError.message
				: typeof body.error_description === 'string'
					? body.error_description
					: failure.message,
	};
}

/** A YouTube Data API failure as what the hub answers: 401 → reconnect, quotaExceeded → wait for the reset. */
function callError(error: unknown): ProviderCallError {
	const { status, reason, message } = googleFailure(error);
	if (status === 401) return new ProviderCallError('auth', message);
	if (status === 403 && (reason === 'quotaExceeded' || reason === 'dailyLimitExceeded')) return new ProviderCallError('quota', message);
	if (status === 429 || reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded') {
		return new ProviderCallError('rate_limited', message, 60);
	}
	return new ProviderCallError('failed', message);
}

/**
 * Google OAuth 2.0 and the YouTube Data API through Google's own client (`@googleapis/youtube`: googleapis' YouTube
 * package, with google-auth-library's OAuth2 client). Offline access with a forced consent screen, so Google always
 * returns a refresh token; PKCE S256. GOOGLE_OAUTH_URL and YOUTUBE_API_URL point both at a fake in tests.
 */
export class YouTubeProvider implements OAuthProvider {
	readonly id = 'youtube' as const;
	readonly usesPkce = true;

	constructor(
		private readonly app: GoogleAppConfig,
		private readonly clock: Clock,
	) {}

	private client(redirectUri?: string): OAuth2Client {
		const base = this.app.oauthUrl;
		return new auth.OAuth2({
			clientId: this.app.clientId,
			clientSecret: this.app.clientSecret,
			redirectUri,
			// Node's own fetch: gaxios would otherwise import node-fetch dynamically, which it only needs without one.
			transporterOptions: { fetchImplementation: fetch },
			...(base ? { endpoints: { oauth2AuthBaseUrl: `${base}/auth`, oauth2TokenUrl: `${base}/token`, oauth2RevokeUrl: `${base}/revoke` } } : {}),
		});
	}

	private api(accessToken: string): youtube_v3.Youtube {
		const client = this.client();
		client.setCredentials({ access_token: accessToken });
		return youtube({
			version: 'v3',
			auth: client,
			timeout: PROVIDER_TIMEOUT_MS,
			retry: false,
			...(this.app.apiUrl ? { rootUrl: `${this.app.apiUrl}/` } : {}),
		});
	}

	authorizationUrl({ state, redirectUri, codeChallenge }: { state: string; redirectUri: string; codeChallenge: string | null }): string {
		return this.client(redirectUri).generateAuthUrl({
			access_type: 'offline',
			prompt: 'consent',
			scope: [...YOUTUBE_SCOPES],
			state,
			include_granted_scopes: true,
			...(codeChallenge ? { code_challenge: codeChallenge, code_challenge_method: 'S256' as never } : {}),
		});
	}

	private tokensOf(credentials: { access_token?: string | null; refresh_token?: string | null; expiry_date?: number | null; scope?: string }, previousRefresh: string | null): ProviderTokens {
		if (!credentials.access_token) throw new ProviderAuthError('unavailable', 'Google answered no access_token');
		return {
			accessToken: credentials.access_token,
			// Google sends a refresh token on consent only; a refresh keeps the one the account has.
			refreshToken: credentials.refresh_token ?? previousRefresh,
			// google-auth-library stamps expiry_date from the system time; the hub measures lifetimes on its own clock.
			expiresAt: credentials.expiry_date ? new Date(this.clock().getTime() + (credentials.expiry_date - Date.now())) : null,
			refreshExpiresAt: null,
			scopes: credentials.scope ?? null,
		};
	}

	/** A failure of the OAuth client: 4xx (invalid_grant …) is the person's to fix, the rest is Google's. */
	private authError(error: unknown): ProviderAuthError {
		const { status, message } = googleFailure(error);
		return new ProviderAuthError(status !== undefined && status >= 400 && status < 500 ? 'rejected' : 'unavailable', message);
	}

	async connect({ code, redirectUri, codeVerifier }: { code: string; redirectUri: string; codeVerifier: string | null }): Promise<ConnectedIdentity> {
		let tokens: ProviderTokens;
		try {
			const { tokens: credentials } = await this.client(redirectUri).getToken({ code, codeVerifier: codeVerifier ?? undefined });
			tokens = this.tokensOf(credentials, null);
		} catch (error) {
			throw error instanceof ProviderAuthError ? error : this.authError(error);
		}
		let channel: youtube_v3.Schema$Channel | undefined;
		try {
			const { data } = await this.api(tokens.accessToken).channels.list({ part: ['snippet'], mine: true });
			channel = data.items?.[0];
		} catch (error) {
			throw this.authError(error);
		}
		if (!channel?.id) throw new ProviderAuthError('rejected', 'This Google account has no YouTube channel');
		const name = channel.snippet?.title ?? null;
		return { externalId: channel.id, name, tokens, channels: [{ provider: 'youtube', externalId: channel.id, name, accessToken: null }] };
	}

	refresh = async (refreshToken: string): Promise<ProviderTokens> => {
		const client = this.client();
		client.setCredentials({ refresh_token: refreshToken });
		try {
			const { credentials } = await client.refreshAccessToken();
			return this.tokensOf(credentials, refreshToken);
		} catch (error) {
			throw error instanceof ProviderAuthError ? error : this.authError(error);
		}
	};

	async revoke({ accessToken }: { accessToken: string }): Promise<void> {
		await this.client().revokeToken(accessToken);
	}

	/** One page of the channel's comment threads, newest first (1 quota unit). */
	async listCommentThreads(accessToken: string, channelId: string, pageToken?: string): Promise<{ items: unknown[]; nextPageToken?: string }> {
		try {
			const { data } = await this.api(accessToken).commentThreads.list({
				part: ['snippet'],
				allThreadsRelatedToChannelId: channelId,
				// Others' comments come as textDisplay only (textOriginal is the author's): plain text, not HTML.
				textFormat: 'plainText',
				order: 'time',
				maxResults: 50,
				...(pageToken ? { pageToken } : {}),
			});
			return { items: data.items ?? [], ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}) };
		} catch (error) {
			throw callError(error);
		}
	}

	/** One page of the channel's activities (uploads and the like), newest first (1 quota unit). */
	async listActivities(accessToken: string, channelId: string, pageToken?: string): Promise<{ items: unknown[]; nextPageToken?: string }> {
		try {
			const { data } = await this.api(accessToken).activities.list({
				part: ['snippet', 'contentDetails'],
				channelId,
				maxResults: 50,
				...(pageToken ? { pageToken } : {}),
			});
			return { items: data.items ?? [], ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}) };
		} catch (error) {
			throw callError(error);
		}
	}

	/** A reply to a top-level comment (50 quota units): the new comment's id. */
	async replyToComment(accessToken: string, parentId: string, text: string): Promise<string> {
		try {
			const { data } = await this.api(accessToken).comments.insert({
				part: ['snippet'],
				requestBody: { snippet: { parentId, textOriginal: text } },
			});
			return data.id ?? '';
		} catch (error) {
			throw callError(error);
		}
	}
}
