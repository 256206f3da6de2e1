/**
 * Fake Google OAuth 2.0 + YouTube Data API v3 (the subset SkyBot calls), one server for both so the real `googleapis`
 * client can be pointed at it:
 *   GET  /o/oauth2/v2/auth            the consent page (a browser page at Google): checks its query, answers 200
 *   POST /token                       authorization_code (with PKCE) and refresh_token grants
 *   POST /revoke                      revokes a grant (token in the query, as google-auth-library sends it, or the form)
 *   GET  /youtube/v3/channels         part=snippet&mine=true: the channel the token belongs to
 *   GET  /youtube/v3/commentThreads   allThreadsRelatedToChannelId, newest first, nextPageToken paging
 *   GET  /youtube/v3/activities       a channel's uploads (one per video its comments are on)
 *   POST /youtube/v3/comments         part=snippet, {snippet:{parentId, textOriginal}}: a reply to a top-level comment
 *
 * Point google-auth-library at it with `endpoints: fake.oauthEndpoints` and googleapis with `rootUrl: fake.rootUrl`;
 * a node calling Google over HTTP uses `fake.url` where it would use https://www.googleapis.com.
 *
 * Errors use Google's two shapes: the OAuth endpoints answer `{error, error_description}` (RFC 6749), the Data API
 * answers `{error: {code, message, errors: [{message, domain, reason, …}], status?}}`. Quota units are counted as
 * Google counts them (1 per list, 50 per insert); `setQuotaExceeded(true)` (or reaching the limit) makes every Data API
 * call answer 403 quotaExceeded.
 */
import { createHash, randomBytes } from 'node:crypto';

import {
	bearerToken,
	FailureQueue,
	FakeHttpError,
	type FakeReply,
	type FakeServer,
	isPlainObject,
	mediaType,
	type RecordedRequest,
	startFakeServer,
} from './http-fake.ts';

export const YOUTUBE_SCOPES = {
	forceSsl: 'https://www.googleapis.com/auth/youtube.force-ssl',
	manage: 'https://www.googleapis.com/auth/youtube',
	readonly: 'https://www.googleapis.com/auth/youtube.readonly',
} as const;

/** Scopes that may read comment threads / write comments (Google's documented authorization scopes). */
const READ_SCOPES: string[] = [YOUTUBE_SCOPES.forceSsl, YOUTUBE_SCOPES.manage, YOUTUBE_SCOPES.readonly];
const WRITE_SCOPES: string[] = [YOUTUBE_SCOPES.forceSsl, YOUTUBE_SCOPES.manage];

/** Quota units per call (YouTube Data API v3 quota calculator). */
export const QUOTA_COST = { list: 1, insert: 50 } as const;
const DEFAULT_DAILY_QUOTA = 10_000;
const ACCESS_TOKEN_TTL_S = 3599;
const AUTH_CODE_TTL_MS = 10 * 60 * 1000;
/** comments.insert refuses longer texts (commentTextTooLong). */
const COMMENT_TEXT_LIMIT = 10_000;
const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface OAuthClient {
	clientId: string;
	clientSecret: string;
	redirectUris: string[];
}

export const FAKE_GOOGLE_CLIENT: OAuthClient = {
	clientId: '123456789012-skybot.apps.googleusercontent.com',
	clientSecret: 'GOCSPX-skybotFakeClientSecret',
	redirectUris: ['http://localhost:3000/api/social-accounts/youtube/callback'],
};

export interface IssueCodeInput {
	channelId: string;
	clientId?: string;
	redirectUri?: string;
	/** base64url(SHA-256(verifier)) for S256, the verifier itself for plain; omitted: a code without PKCE. */
	codeChallenge?: string;
	codeChallengeMethod?: 'S256' | 'plain';
	scope?: string[];
	/** False: the code's grant carries no refresh token (Google gives one only with access_type=offline). */
	offline?: boolean;
}

export interface IssuedTokens {
	accessToken: string;
	refreshToken: string;
	expiresIn: number;
}

export interface NewComment {
	/** The commenter's display name. */
	author: string;
	text: string;
	/** The commenter's channel id (generated when omitted). */
	authorChannelId?: string;
	videoId?: string;
	/** ISO 8601, second precision like YouTube's; default: now. Same instant as another comment is allowed. */
	publishedAt?: string;
}

export interface AddedComment {
	/** The thread id, which is also the top-level comment's id (as on YouTube). */
	threadId: string;
	commentId: string;
	videoId: string;
	authorChannelId: string;
	publishedAt: string;
}

export interface InsertedReply {
	id: string;
	parentId: string;
	text: string;
	/** The channel whose token wrote the reply. */
	channelId: string;
	publishedAt: string;
}

export interface TokenRefresh {
	clientId: string;
	channelId: string;
	at: number;
}

export interface DataApiFailure {
	status: number;
	reason: string;
	message?: string;
	domain?: string;
}

export interface FakeGoogleYouTube extends FakeServer {
	/** `rootUrl` for googleapis (trailing slash, as googleapis expects). */
	rootUrl: string;
	/** `endpoints` for google-auth-library's OAuth2Client. */
	oauthEndpoints: { oauth2AuthBaseUrl: string; oauth2TokenUrl: string; oauth2RevokeUrl: string };
	registerClient(client: OAuthClient): void;
	/** A channel the fake knows (its comments, its tokens). Added on first use by the other controls too. */
	addChannel(channelId: string, title?: string): void;
	/** What the consent page would redirect with: a single-use code for this channel (10 minutes). */
	issueAuthCode(input: IssueCodeInput): string;
	/**
	 * The user consents on the page `authUrl` (what the hub's auth-url route answered): checks it as Google would
	 * and returns the redirect back to the app, with `code` and `state`.
	 */
	consent(authUrl: string, channelId: string): { code: string; state?: string; redirectUrl: string };
	/** Tokens for a channel without the OAuth dance (node tests that need a Bearer token). */
	issueTokens(channelId: string, options?: { clientId?: string; scope?: string[] }): IssuedTokens;
	addComment(channelId: string, comment: NewComment): AddedComment;
	/** Every access token (of one channel, or all) answers 401 from now on; refresh tokens still work. */
	expireTokens(channelId?: string): void;
	/** The user removed the app's access: the channel's refresh tokens answer invalid_grant. */
	revokeGrants(channelId: string): void;
	expireAuthCodes(): void;
	setQuotaExceeded(exceeded: boolean): void;
	quota: { used: number; limit: number };
	/** The next `count` Data API calls (after auth and validation) fail with this error. */
	failNext(count: number, failure: DataApiFailure): void;
	/** Every refresh_token grant that succeeded, in order (`refreshes.length` counts them). */
	refreshes: TokenRefresh[];
	/** Every reply comments.insert accepted, in order. */
	replies: InsertedReply[];
	/** Tokens revoked through POST /revoke. */
	revoked: string[];
}

interface AccessGrant {
	clientId: string;
	channelId: string;
	scope: string[];
	expiresAt: number;
	refreshToken?: string;
}

interface RefreshGrant {
	clientId: string;
	channelId: string;
	scope: string[];
	revoked: boolean;
}

interface AuthCode {
	clientId: string;
	redirectUri: string;
	channelId: string;
	scope: string[];
	codeChallenge?: string;
	codeChallengeMethod: 'S256' | 'plain';
	offline: boolean;
	expiresAt: number;
	used: boolean;
}

interface StoredComment {
	id: string;
	authorDisplayName: string;
	authorChannelId: string;
	text: string;
	publishedAt: string;
	parentId?: string;
}

interface StoredThread {
	id: string;
	channelId: string;
	videoId: string;
	topLevel: StoredComment;
	replies: StoredComment[];
}

interface StoredChannel {
	id: string;
	title: string;
	/** Newest first, as commentThreads.list answers (order=time). */
	threads: StoredThread[];
}

const randomId = (bytes: number) => randomBytes(bytes).toString('base64url');
/** YouTube-looking ids: comments `Ugz…4AaABAg`, channels `UC` + 22, videos 11 characters. */
const commentId = () => `Ugz${randomId(15)}4AaABAg`;
const channelIdLike = () => `UC${randomId(17).slice(0, 22)}`;
const videoIdLike = () => randomId(9).slice(0, 11);
const etag = () => randomId(20);
/** YouTube's timestamps: ISO 8601 with second precision. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

// ---- error shapes -------------------------------------------------------------------------------------------------

/** OAuth endpoint error (RFC 6749 §5.2), as Google's token endpoint answers it. */
function oauthError(status: number, error: string, description: string): FakeHttpError {
	return new FakeHttpError(status, { error, error_description: description });
}

const STATUS_NAMES: Record<number, string> = {
	400: 'INVALID_ARGUMENT',
	401: 'UNAUTHENTICATED',
	403: 'PERMISSION_DENIED',
	404: 'NOT_FOUND',
	500: 'INTERNAL',
	503: 'UNAVAILABLE',
};

/** Data API error envelope. `status` is omitted for YouTube's own domains (quota, parameters), as Google does. */
export function dataApiError(
	code: number,
	reason: string,
	message: string,
	extra: { domain?: string; location?: string; locationType?: string; status?: string | null } = {},
): FakeHttpError {
	const status = extra.status === undefined ? STATUS_NAMES[code] : extra.status;
	return new FakeHttpError(code, {
		error: {
			code,
			message,
			errors: [
				{
					message,
					domain: extra.domain ?? 'global',
					reason,
					...(extra.location ? { location: extra.location, locationType: extra.locationType ?? 'parameter' } : {}),
				},
			],
			...(status ? { status } : {}),
		},
	});
}

const parameterError = (reason: string, message: string, location: string) =>
	dataApiError(400, reason, message, { domain: 'youtube.parameter', location, status: null });

const required = (parameter: string) =>
	dataApiError(400, 'required', `Required parameter: ${parameter}`, { location: parameter });

// ---- the fake -----------------------------------------------------------------------------------------------------

export interface FakeGoogleYouTubeOptions {
	clients?: OAuthClient[];
	/** Daily quota of the fake's Google project (default 10 000 units). */
	quotaLimit?: number;
}

export async function startFakeGoogleYouTube(options: FakeGoogleYouTubeOptions = {}): Promise<FakeGoogleYouTube> {
	const clients = new Map<string, OAuthClient>();
	for (const client of options.clients ?? [FAKE_GOOGLE_CLIENT]) clients.set(client.clientId, client);
	const channels = new Map<string, StoredChannel>();
	const codes = new Map<string, AuthCode>();
	const accessTokens = new Map<string, AccessGrant>();
	const refreshTokens = new Map<string, RefreshGrant>();
	const refreshes: TokenRefresh[] = [];
	const replies: InsertedReply[] = [];
	const revoked: string[] = [];
	const failures = new FailureQueue<DataApiFailure>();
	const quota = { used: 0, limit: options.quotaLimit ?? DEFAULT_DAILY_QUOTA };
	let quotaSwitchedOff = false;

	const channel = (id: string, title?: string): StoredChannel => {
		let stored = channels.get(id);
		if (!stored) {
			stored = { id, title: title ?? `Channel ${id}`, threads: [] };
			channels.set(id, stored);
		} else if (title) {
			stored.title = title;
		}
		return stored;
	};

	const grantTokens = (clientId: string, channelId: string, scope: string[], offline: boolean) => {
		const accessToken = `ya29.${randomId(32)}`;
		const refreshToken = offline ? `1//${randomId(32)}` : undefined;
		if (refreshToken) refreshTokens.set(refreshToken, { clientId, channelId, scope, revoked: false });
		accessTokens.set(accessToken, {
			clientId,
			channelId,
			scope,
			expiresAt: Date.now() + ACCESS_TOKEN_TTL_S * 1000,
			refreshToken,
		});
		return { accessToken, refreshToken };
	};

	// ---- OAuth ----

	/** The client from client_secret_post or client_secret_basic; Google answers 401 invalid_client otherwise. */
	const authenticateClient = (request: RecordedRequest, form: URLSearchParams): OAuthClient => {
		let clientId = form.get('client_id') ?? undefined;
		let clientSecret = form.get('client_secret') ?? undefined;
		const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
		if (basic) {
			const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
			clientId ??= id;
			clientSecret ??= secret;
		}
		if (!clientId) throw oauthError(400, 'invalid_request', 'Could not determine client ID from request.');
		const client = clients.get(clientId);
		if (!client) throw oauthError(401, 'invalid_client', 'The OAuth client was not found.');
		if (clientSecret !== client.clientSecret) throw oauthError(401, 'invalid_client', 'Unauthorized');
		return client;
	};

	const readForm = (request: RecordedRequest): URLSearchParams => {
		if (mediaType(request) !== 'application/x-www-form-urlencoded') {
			throw oauthError(400, 'invalid_request', `Invalid content type: ${mediaType(request) || '(none)'}`);
		}
		return new URLSearchParams(request.rawBody);
	};

	const verifyPkce = (code: AuthCode, verifier: string | null) => {
		if (!code.codeChallenge) {
			if (verifier !== null) throw oauthError(400, 'invalid_request', 'code_verifier or verifier is not needed.');
			return;
		}
		if (verifier === null) throw oauthError(400, 'invalid_grant', 'Missing code verifier.');
		if (!PKCE_VERIFIER.test(verifier)) throw oauthError(400, 'invalid_grant', 'Invalid code verifier.');
		const computed =
			code.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
		if (computed !== code.codeChallenge) throw oauthError(400, 'invalid_grant', 'Invalid code verifier.');
	};

	const tokenEndpoint = (request: RecordedRequest): FakeReply => {
		if (request.method !== 'POST') throw oauthError(405, 'invalid_request', 'Method not allowed');
		const form = readForm(request);
		const grantType = form.get('grant_type');
		if (grantType === null) throw oauthError(400, 'unsupported_grant_type', 'Invalid grant_type: ');
		if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
			throw oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
		}
		const client = authenticateClient(request, form);

		if (grantType === 'authorization_code') {
			const codeValue = form.get('code');
			if (!codeValue) throw oauthError(400, 'invalid_request', 'Missing required parameter: code');
			const redirectUri = form.get('redirect_uri');
			if (!redirectUri) throw oauthError(400, 'invalid_request', 'Missing parameter: redirect_uri');
			const code = codes.get(codeValue);
			if (!code || code.clientId !== client.clientId) throw oauthError(400, 'invalid_grant', 'Malformed auth code.');
			if (code.used || code.expiresAt <= Date.now()) throw oauthError(400, 'invalid_grant', 'Bad Request');
			if (redirectUri !== code.redirectUri) throw oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
			verifyPkce(code, form.get('code_verifier'));
			code.used = true;
			const { accessToken, refreshToken } = grantTokens(client.clientId, code.channelId, code.scope, code.offline);
			return {
				status: 200,
				body: {
					access_token: accessToken,
					expires_in: ACCESS_TOKEN_TTL_S,
					...(refreshToken ? { refresh_token: refreshToken } : {}),
					scope: code.scope.join(' '),
					token_type: 'Bearer',
				},
			};
		}

		const refreshToken = form.get('refresh_token');
		if (!refreshToken) throw oauthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
		const grant = refreshTokens.get(refreshToken);
		if (!grant || grant.revoked || grant.clientId !== client.clientId) {
			throw oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
		}
		const accessToken = `ya29.${randomId(32)}`;
		accessTokens.set(accessToken, {
			clientId: grant.clientId,
			channelId: grant.channelId,
			scope: grant.scope,
			expiresAt: Date.now() + ACCESS_TOKEN_TTL_S * 1000,
			refreshToken,
		});
		refreshes.push({ clientId: grant.clientId, channelId: grant.channelId, at: Date.now() });
		// Google's refresh answer carries no new refresh token: the old one stays valid.
		return {
			status: 200,
			body: { access_token: accessToken, expires_in: ACCESS_TOKEN_TTL_S, scope: grant.scope.join(' '), token_type: 'Bearer' },
		};
	};

	const revokeEndpoint = (request: RecordedRequest): FakeReply => {
		if (request.method !== 'POST' && request.method !== 'GET') throw oauthError(405, 'invalid_request', 'Method not allowed');
		const fromBody = request.rawBody ? new URLSearchParams(request.rawBody).get('token') : null;
		const token = request.query.token ?? fromBody;
		if (!token) throw oauthError(400, 'invalid_request', 'Missing required parameter: token');
		// Revoking either token of a grant revokes the grant: its refresh token and every access token from it.
		const refreshToken = refreshTokens.has(token) ? token : accessTokens.get(token)?.refreshToken;
		if (!refreshTokens.has(token) && !accessTokens.has(token)) {
			throw oauthError(400, 'invalid_token', 'Token expired or revoked');
		}
		if (refreshToken) {
			const grant = refreshTokens.get(refreshToken);
			if (grant) grant.revoked = true;
		}
		for (const [value, access] of accessTokens) {
			if (value === token || (refreshToken && access.refreshToken === refreshToken)) accessTokens.delete(value);
		}
		revoked.push(token);
		return { status: 200, body: {} };
	};

	/** What Google's consent page checks before showing itself; the fake answers the page as JSON. */
	const checkAuthQuery = (query: URLSearchParams) => {
		const clientId = query.get('client_id');
		const client = clientId ? clients.get(clientId) : undefined;
		if (!client) throw oauthError(401, 'invalid_client', 'The OAuth client was not found.');
		const redirectUri = query.get('redirect_uri') ?? '';
		if (!client.redirectUris.includes(redirectUri)) throw oauthError(400, 'redirect_uri_mismatch', `Bad redirect_uri: ${redirectUri}`);
		if (query.get('response_type') !== 'code') throw oauthError(400, 'unsupported_response_type', 'Only response_type=code');
		const scope = (query.get('scope') ?? '').split(/\s+/).filter(Boolean);
		if (scope.length === 0) throw oauthError(400, 'invalid_request', 'Missing required parameter: scope');
		const challenge = query.get('code_challenge') ?? undefined;
		const method = query.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
		if (method !== undefined && method !== 'S256' && method !== 'plain') {
			throw oauthError(400, 'invalid_request', `Invalid code_challenge_method: ${method}`);
		}
		if (method && !challenge) throw oauthError(400, 'invalid_request', 'Missing code_challenge');
		return {
			client,
			redirectUri,
			scope,
			challenge,
			method: method as 'S256' | 'plain' | undefined,
			offline: query.get('access_type') === 'offline',
			state: query.get('state') ?? undefined,
		};
	};

	// ---- YouTube Data API ----

	const authenticateBearer = (request: RecordedRequest, scopes: string[]): AccessGrant => {
		const token = bearerToken(request);
		const grant = token ? accessTokens.get(token) : undefined;
		if (!grant || grant.expiresAt <= Date.now()) {
			throw dataApiError(
				401,
				'authError',
				'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
				{ location: 'Authorization', locationType: 'header' },
			);
		}
		if (!grant.scope.some((scope) => scopes.includes(scope))) {
			throw dataApiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.');
		}
		return grant;
	};

	const parts = (request: RecordedRequest, allowed: string[]): string[] => {
		const part = request.query.part;
		if (part === undefined || part.trim() === '') throw required('part');
		const list = part.split(',').map((value) => value.trim());
		const unknown = list.find((value) => !allowed.includes(value));
		if (unknown !== undefined) {
			throw parameterError('unknownPart', `'${unknown}'`, 'part');
		}
		return list;
	};

	/** After auth and validation, as at Google: a call refused for quota still had to be a valid one. */
	const spend = (units: number) => {
		if (quotaSwitchedOff || quota.used + units > quota.limit) {
			throw dataApiError(
				403,
				'quotaExceeded',
				'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
				{ domain: 'youtube.quota', status: null },
			);
		}
		const failure = failures.take();
		if (failure) {
			throw dataApiError(failure.status, failure.reason, failure.message ?? `Scripted failure: ${failure.reason}`, {
				domain: failure.domain,
			});
		}
		quota.used += units;
	};

	/**
	 * A `youtube#comment`. Google returns `textOriginal` only where the viewer may see it, "which is only guaranteed if
	 * the user is the comment's author": the fake gives it to the author alone, so a client must read `textDisplay`
	 * (plain with textFormat=plainText, HTML by default) for everyone else's comments.
	 */
	const commentResource = (comment: StoredComment, thread: StoredThread, textFormat: string, viewerChannelId: string) => ({
		kind: 'youtube#comment',
		etag: etag(),
		id: comment.id,
		snippet: {
			channelId: thread.channelId,
			videoId: thread.videoId,
			textDisplay: textFormat === 'plainText' ? comment.text : escapeHtml(comment.text),
			...(viewerChannelId === comment.authorChannelId ? { textOriginal: comment.text } : {}),
			...(comment.parentId ? { parentId: comment.parentId } : {}),
			authorDisplayName: comment.authorDisplayName,
			authorProfileImageUrl: `https://yt3.ggpht.example/${comment.authorChannelId}`,
			authorChannelUrl: `http://www.youtube.com/channel/${comment.authorChannelId}`,
			authorChannelId: { value: comment.authorChannelId },
			canRate: true,
			viewerRating: 'none',
			likeCount: 0,
			publishedAt: comment.publishedAt,
			updatedAt: comment.publishedAt,
		},
	});

	/** activities.list of a channel: one `upload` per video its comments are on, newest first (1 unit). */
	const listActivities = (request: RecordedRequest): FakeReply => {
		parts(request, ['id', 'snippet', 'contentDetails']);
		const channelId = request.query.channelId;
		if (!channelId) throw parameterError('missingRequiredParameter', 'No filter selected. Expected one of: channelId, mine', 'parameters');
		const maxResults = Number(request.query.maxResults ?? '5');
		if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 50) {
			throw parameterError('invalidParameter', "Invalid value for parameter 'maxResults'", 'maxResults');
		}
		authenticateBearer(request, READ_SCOPES);
		spend(QUOTA_COST.list);
		const uploads = new Map<string, string>();
		for (const thread of channel(channelId).threads) if (!uploads.has(thread.videoId)) uploads.set(thread.videoId, thread.topLevel.publishedAt);
		const items = [...uploads].slice(0, maxResults).map(([videoId, publishedAt]) => ({
			kind: 'youtube#activity',
			etag: etag(),
			id: `act_${videoId}`,
			snippet: { publishedAt, channelId, title: `Video ${videoId}`, type: 'upload' },
			contentDetails: { upload: { videoId } },
		}));
		return {
			status: 200,
			body: { kind: 'youtube#activityListResponse', etag: etag(), pageInfo: { totalResults: uploads.size, resultsPerPage: maxResults }, items },
		};
	};

	const listChannels = (request: RecordedRequest): FakeReply => {
		const listParts = parts(request, ['id', 'snippet']);
		if (request.query.mine !== 'true') {
			throw parameterError('missingRequiredParameter', 'No filter selected. Expected one of: mine', 'parameters');
		}
		const grant = authenticateBearer(request, READ_SCOPES);
		spend(QUOTA_COST.list);
		const owner = channel(grant.channelId);
		return {
			status: 200,
			body: {
				kind: 'youtube#channelListResponse',
				etag: etag(),
				pageInfo: { totalResults: 1, resultsPerPage: 5 },
				items: [
					{
						kind: 'youtube#channel',
						etag: etag(),
						id: owner.id,
						...(listParts.includes('snippet') ? { snippet: { title: owner.title, description: '', publishedAt: '2020-01-01T00:00:00Z' } } : {}),
					},
				],
			},
		};
	};

	const listCommentThreads = (request: RecordedRequest): FakeReply => {
		const listParts = parts(request, ['id', 'snippet', 'replies']);
		const { query } = request;
		const filters = ['allThreadsRelatedToChannelId', 'videoId', 'id'].filter((name) => query[name] !== undefined);
		if (filters.length === 0) {
			throw parameterError(
				'missingRequiredParameter',
				'No filter selected. Expected one of: allThreadsRelatedToChannelId, videoId, id',
				'parameters',
			);
		}
		if (filters.length > 1) throw parameterError('incompatibleParameters', 'Incompatible parameters specified in the request: ' + filters.join(', '), 'parameters');
		if (!query.allThreadsRelatedToChannelId) {
			throw parameterError('unsupportedFilter', 'The fake only implements allThreadsRelatedToChannelId', filters[0]!);
		}
		const order = query.order ?? 'time';
		if (order !== 'time' && order !== 'relevance') throw parameterError('invalidValue', `Invalid value for order: ${order}`, 'order');
		const maxResults = query.maxResults === undefined ? 20 : Number(query.maxResults);
		if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
			throw parameterError('invalidValue', `Invalid value '${query.maxResults}'. Values must be within the range: [1, 100]`, 'maxResults');
		}
		const textFormat = query.textFormat ?? 'html';
		if (textFormat !== 'html' && textFormat !== 'plainText') {
			throw parameterError('invalidValue', `Invalid value for textFormat: ${textFormat}`, 'textFormat');
		}
		const viewer = authenticateBearer(request, READ_SCOPES).channelId;
		const related = channels.get(query.allThreadsRelatedToChannelId);
		if (!related) {
			throw dataApiError(404, 'channelNotFound', 'The channel identified by the allThreadsRelatedToChannelId parameter could not be found.', {
				domain: 'youtube.commentThread',
				location: 'allThreadsRelatedToChannelId',
			});
		}
		let start = 0;
		if (query.pageToken !== undefined) {
			const cursor = readPageToken(query.pageToken, related.id);
			// The page right after the last thread returned, wherever newer threads have since been added in front of
			// it (comments at the same instant included); if that thread is gone, the first one older than it.
			const after = related.threads.findIndex((thread) => thread.id === cursor.id);
			start = after !== -1 ? after + 1 : related.threads.findIndex((thread) => Date.parse(thread.topLevel.publishedAt) < Date.parse(cursor.publishedAt));
			if (start === -1) start = related.threads.length;
		}
		spend(QUOTA_COST.list);
		const page = related.threads.slice(start, start + maxResults);
		const last = page.at(-1);
		const more = start + maxResults < related.threads.length;
		return {
			status: 200,
			body: {
				kind: 'youtube#commentThreadListResponse',
				etag: etag(),
				...(more && last ? { nextPageToken: pageToken(related.id, last) } : {}),
				pageInfo: { totalResults: page.length, resultsPerPage: maxResults },
				items: page.map((thread) => ({
					kind: 'youtube#commentThread',
					etag: etag(),
					id: thread.id,
					...(listParts.includes('snippet')
						? {
								snippet: {
									channelId: thread.channelId,
									videoId: thread.videoId,
									topLevelComment: commentResource(thread.topLevel, thread, textFormat, viewer),
									canReply: true,
									totalReplyCount: thread.replies.length,
									isPublic: true,
								},
							}
						: {}),
					...(listParts.includes('replies') && thread.replies.length > 0
						? { replies: { comments: thread.replies.map((reply) => commentResource(reply, thread, textFormat, viewer)) } }
						: {}),
				})),
			},
		};
	};

	const insertComment = (request: RecordedRequest): FakeReply => {
		parts(request, ['id', 'snippet']);
		if (mediaType(request) !== 'application/json' || !isPlainObject(request.json)) {
			throw dataApiError(400, 'parseError', 'Parse Error');
		}
		const snippet = request.json.snippet;
		if (!isPlainObject(snippet)) {
			throw dataApiError(400, 'invalidCommentMetadata', 'The request metadata is invalid.', { domain: 'youtube.comment' });
		}
		const parentId = snippet.parentId;
		if (typeof parentId !== 'string' || parentId === '') {
			throw dataApiError(
				400,
				'parentIdMissing',
				'The comment being created must be linked to a parent comment. However, the request body did not specify a value for the snippet.parentId property.',
				{ domain: 'youtube.comment', status: null },
			);
		}
		const text = snippet.textOriginal;
		if (typeof text !== 'string' || text.trim() === '') {
			throw dataApiError(400, 'commentTextRequired', 'The comment resource being inserted must specify a value for the snippet.textOriginal property.', {
				domain: 'youtube.comment',
				status: null,
			});
		}
		if (text.length > COMMENT_TEXT_LIMIT) {
			throw dataApiError(400, 'commentTextTooLong', 'The comment resource being inserted contains too many characters in the snippet.textOriginal property.', {
				domain: 'youtube.comment',
				status: null,
			});
		}
		const grant = authenticateBearer(request, WRITE_SCOPES);
		const thread = findThread(parentId);
		if (!thread) {
			const isReplyId = parentId.includes('.');
			throw isReplyId
				? dataApiError(400, 'operationNotSupported', 'The comment is a reply: answer its top-level comment (snippet.parentId).', {
						domain: 'youtube.comment',
						status: null,
					})
				: dataApiError(404, 'commentNotFound', 'One or more of the comments identified by the snippet.parentId property could not be found.', {
						domain: 'youtube.comment',
						status: null,
					});
		}
		spend(QUOTA_COST.insert);
		const author = channel(grant.channelId);
		const reply: StoredComment = {
			id: `${parentId}.${randomId(16)}`,
			authorDisplayName: author.title,
			authorChannelId: author.id,
			text,
			publishedAt: isoSeconds(Date.now()),
			parentId,
		};
		thread.replies.push(reply);
		replies.push({ id: reply.id, parentId, text, channelId: author.id, publishedAt: reply.publishedAt });
		const resource = commentResource(reply, thread, 'html', author.id);
		// comments.insert answers the snippet without channelId / videoId for a reply.
		const snippetOut: Partial<typeof resource.snippet> = { ...resource.snippet };
		delete snippetOut.channelId;
		delete snippetOut.videoId;
		return { status: 200, body: { ...resource, snippet: snippetOut } };
	};

	const findThread = (topLevelId: string): StoredThread | undefined => {
		for (const stored of channels.values()) {
			const thread = stored.threads.find((candidate) => candidate.id === topLevelId);
			if (thread) return thread;
		}
		return undefined;
	};

	const server = await startFakeServer((request) => {
		const { path, method } = request;
		if (path === '/o/oauth2/v2/auth') {
			if (method !== 'GET') throw oauthError(405, 'invalid_request', 'Method not allowed');
			const checked = checkAuthQuery(new URLSearchParams(request.query));
			return { status: 200, body: { page: 'consent', client_id: checked.client.clientId, scope: checked.scope } };
		}
		if (path === '/token') return tokenEndpoint(request);
		if (path === '/revoke') return revokeEndpoint(request);
		if (path === '/youtube/v3/channels' && method === 'GET') return listChannels(request);
		if (path === '/youtube/v3/activities' && method === 'GET') return listActivities(request);
		if (path === '/youtube/v3/commentThreads' && method === 'GET') return listCommentThreads(request);
		if (path === '/youtube/v3/comments' && method === 'POST') return insertComment(request);
		throw dataApiError(404, 'notFound', `Not Found: ${method} ${path}`);
	});

	const issueAuthCode = (input: IssueCodeInput): string => {
		const clientId = input.clientId ?? [...clients.keys()][0]!;
		const client = clients.get(clientId);
		if (!client) throw new Error(`fake Google: no OAuth client ${clientId} is registered`);
		const redirectUri = input.redirectUri ?? client.redirectUris[0]!;
		if (!client.redirectUris.includes(redirectUri)) throw new Error(`fake Google: ${redirectUri} is not a redirect URI of ${clientId}`);
		channel(input.channelId);
		const code = `4/0A${randomId(32)}`;
		codes.set(code, {
			clientId,
			redirectUri,
			channelId: input.channelId,
			scope: input.scope ?? [YOUTUBE_SCOPES.forceSsl],
			codeChallenge: input.codeChallenge,
			codeChallengeMethod: input.codeChallengeMethod ?? 'S256',
			offline: input.offline ?? true,
			expiresAt: Date.now() + AUTH_CODE_TTL_MS,
			used: false,
		});
		return code;
	};

	return {
		...server,
		rootUrl: `${server.url}/`,
		oauthEndpoints: {
			oauth2AuthBaseUrl: `${server.url}/o/oauth2/v2/auth`,
			oauth2TokenUrl: `${server.url}/token`,
			oauth2RevokeUrl: `${server.url}/revoke`,
		},
		registerClient: (client) => clients.set(client.clientId, client),
		addChannel: (channelId, title) => void channel(channelId, title),
		issueAuthCode,
		consent: (authUrl, channelId) => {
			const url = new URL(authUrl);
			const checked = checkAuthQuery(url.searchParams);
			const code = issueAuthCode({
				channelId,
				clientId: checked.client.clientId,
				redirectUri: checked.redirectUri,
				codeChallenge: checked.challenge,
				codeChallengeMethod: checked.method,
				scope: checked.scope,
				offline: checked.offline,
			});
			const redirect = new URL(checked.redirectUri);
			redirect.searchParams.set('code', code);
			if (checked.state !== undefined) redirect.searchParams.set('state', checked.state);
			redirect.searchParams.set('scope', checked.scope.join(' '));
			return { code, state: checked.state, redirectUrl: redirect.toString() };
		},
		issueTokens: (channelId, tokenOptions = {}) => {
			const clientId = tokenOptions.clientId ?? [...clients.keys()][0]!;
			channel(channelId);
			const { accessToken, refreshToken } = grantTokens(clientId, channelId, tokenOptions.scope ?? [YOUTUBE_SCOPES.forceSsl], true);
			return { accessToken, refreshToken: refreshToken!, expiresIn: ACCESS_TOKEN_TTL_S };
		},
		addComment: (channelId, comment) => {
			const stored = channel(channelId);
			const id = commentId();
			const publishedAt = comment.publishedAt ?? isoSeconds(Date.now());
			if (Number.isNaN(Date.parse(publishedAt))) throw new Error(`fake Google: bad publishedAt ${publishedAt}`);
			const thread: StoredThread = {
				id,
				channelId,
				videoId: comment.videoId ?? videoIdLike(),
				topLevel: {
					id,
					authorDisplayName: comment.author,
					authorChannelId: comment.authorChannelId ?? channelIdLike(),
					text: comment.text,
					publishedAt,
				},
				replies: [],
			};
			// Newest first; a comment at the same instant as others goes in front of them (it arrived later).
			const index = stored.threads.findIndex((other) => Date.parse(other.topLevel.publishedAt) <= Date.parse(publishedAt));
			stored.threads.splice(index === -1 ? stored.threads.length : index, 0, thread);
			return {
				threadId: id,
				commentId: id,
				videoId: thread.videoId,
				authorChannelId: thread.topLevel.authorChannelId,
				publishedAt,
			};
		},
		expireTokens: (channelId) => {
			for (const grant of accessTokens.values()) {
				if (channelId === undefined || grant.channelId === channelId) grant.expiresAt = Date.now() - 1;
			}
		},
		revokeGrants: (channelId) => {
			for (const grant of refreshTokens.values()) if (grant.channelId === channelId) grant.revoked = true;
		},
		expireAuthCodes: () => {
			for (const code of codes.values()) code.expiresAt = Date.now() - 1;
		},
		setQuotaExceeded: (exceeded) => {
			quotaSwitchedOff = exceeded;
		},
		quota,
		failNext: (count, failure) => failures.push(count, failure),
		refreshes,
		replies,
		revoked,
	};
}

// ---- paging -------------------------------------------------------------------------------------------------------

interface Cursor {
	publishedAt: string;
	id: string;
}

/** Opaque to the client (base64url JSON); stable while new comments arrive in front of the page. */
function pageToken(channelId: string, last: StoredThread): string {
	return Buffer.from(JSON.stringify({ c: channelId, p: last.topLevel.publishedAt, i: last.id })).toString('base64url');
}

function readPageToken(token: string, channelId: string): Cursor {
	try {
		const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { c?: unknown; p?: unknown; i?: unknown };
		if (parsed.c === channelId && typeof parsed.p === 'string' && typeof parsed.i === 'string') {
			return { publishedAt: parsed.p, id: parsed.i };
		}
	} catch {
		// falls through to the error below
	}
	throw parameterError('invalidPageToken', 'The request specifies an invalid page token.', 'pageToken');
}

function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
