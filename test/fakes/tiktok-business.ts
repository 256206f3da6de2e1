/**
 * Fake TikTok API for Business (the subset SkyBot calls), under `/open_api/v1.3`:
 *   POST /tt_user/oauth2/token/           auth_code → tokens (the code is single use)
 *   POST /tt_user/oauth2/refresh_token/   refresh_token → new tokens (the old refresh token stops working)
 *   POST /tt_user/oauth2/revoke/          invalidates an access token (and the refresh tokens of its grant)
 *   GET  /business/get/                   the business account's profile (`fields` is a JSON array)
 *   POST /business/comment/reply/create/  a public reply to a comment on one of the account's videos
 *   POST /business/message/send/          a DM in a conversation the user started (recipient_type CONVERSATION)
 *
 * TikTok answers API errors with HTTP 200 and a non-zero `code` in its envelope
 * `{code, message, request_id, data: {}}`, so this fake does too: a client that only checks the HTTP status is caught
 * here. The OAuth endpoints authenticate with client_id / client_secret in the JSON body; the business endpoints with
 * the `Access-Token` header (the bare token: "Bearer …" there is refused, as TikTok refuses it).
 *
 * Return codes, from TikTok's Business API return-code appendix as integrators quote it (the portal itself is not
 * reachable from here): 40001 no permission, 40002 parameter error, 40006 no schema found (unknown path), 40100 too
 * many requests, 40104 access token empty, 40105 access token incorrect or revoked. TikTok's docs give no separate
 * code for an expired access token that we could find, so an expired token answers 40105 as well; an unknown or
 * reused auth_code / refresh_token answers 40002 (a parameter error) for the same reason.
 *
 * Ids (open_id aside) are TikTok snowflakes above 2^53: the fake writes them into JSON as strings and refuses ids
 * sent as JSON numbers, since a number that large has already lost digits by the time it is serialised.
 *
 * Point a client at `fake.url` as the Business API origin (https://business-api.tiktok.com in production).
 */
import { randomBytes, randomInt } from 'node:crypto';

import {
	FailureQueue,
	FakeHttpError,
	type FakeReply,
	type FakeServer,
	isPlainObject,
	mediaType,
	type RecordedRequest,
	startFakeServer,
} from './http-fake.ts';

export const TIKTOK_API_BASE_PATH = '/open_api/v1.3';

/** The return codes this fake answers with (see the header comment for where they come from). */
export const TIKTOK_CODES = {
	ok: 0,
	noPermission: 40001,
	invalidParameter: 40002,
	noSchemaFound: 40006,
	tooManyRequests: 40100,
	accessTokenEmpty: 40104,
	accessTokenInvalid: 40105,
} as const;

export const FAKE_TIKTOK_CLIENT_ID = '7300000000000000001';
export const FAKE_TIKTOK_CLIENT_SECRET = 'skybot-fake-tiktok-client-secret';
export const FAKE_TIKTOK_REDIRECT_URI = 'http://127.0.0.1/api/social-accounts/tiktok/callback';

/** TikTok's documented lifetimes: the access token lasts a day, the refresh token a year. */
const ACCESS_TOKEN_TTL_SECONDS = 86_400;
const REFRESH_TOKEN_TTL_SECONDS = 31_536_000;
/** TikTok comments are limited to 150 characters; business messages to 6000. */
const COMMENT_TEXT_LIMIT = 150;
const MESSAGE_TEXT_LIMIT = 6000;
const DEFAULT_SCOPE = 'user.info.basic,business.info.basic,comment.list,comment.list.manage,message.list.read,message.list.send';
const PROFILE_FIELDS = [
	'username',
	'display_name',
	'profile_image',
	'audience_countries',
	'is_business_account',
	'followers_count',
	'videos_count',
	'likes',
	'bio_description',
	'is_verified',
	'profile_deep_link',
];

export interface TikTokApp {
	clientId: string;
	clientSecret: string;
}

export interface TikTokProfile {
	display_name: string;
	username: string;
	profile_image?: string;
	[field: string]: unknown;
}

export interface TikTokTokens {
	open_id: string;
	scope: string;
	access_token: string;
	expires_in: number;
	refresh_token: string;
	refresh_token_expires_in: number;
	token_type: 'Bearer';
}

export interface TikTokCommentReply {
	businessId: string;
	videoId: string;
	/** The comment answered. */
	commentId: string;
	text: string;
	/** The id the fake gave the reply (a snowflake string). */
	replyCommentId: string;
}

export interface TikTokSentMessage {
	businessId: string;
	recipientType: 'CONVERSATION';
	/** The conversation id the message was sent in. */
	recipient: string;
	text: string;
	/** The id the fake gave the message. */
	messageId: string;
}

/** A comment `business/comment/list/` lists. */
export interface TikTokListedComment {
	businessId: string;
	videoId: string;
	commentId: string;
	/** The commenter's open_id (the business's own for its replies). */
	userId: string;
	text: string;
	createTime: number;
	/** "0" for a top-level comment. */
	parentCommentId: string;
}

export interface TikTokFailure {
	code: number;
	message?: string;
}

export interface IssueAuthCodeOptions {
	/** The app the user authorised (default: the first seeded app). */
	clientId?: string;
	/** The redirect_uri the authorization request used: the token exchange must present the same one. */
	redirectUri?: string;
	scope?: string;
}

export interface FakeTikTokBusiness extends FakeServer {
	/** `url` + `/open_api/v1.3`: what a client uses as its API base. */
	apiBase: string;
	/** The first seeded app (the default one). */
	clientId: string;
	clientSecret: string;
	/** Registers another app (client_id / client_secret pair). */
	seedApp(app: TikTokApp): void;
	/** Sets the profile `business/get/` answers for this open_id. */
	seedAccount(openId: string, profile: TikTokProfile): void;
	/** What the authorize page would redirect back with: a single-use code granting tokens for `openId`. */
	issueAuthCode(openId: string, options?: IssueAuthCodeOptions): string;
	/** Tokens for `openId` without the OAuth dance (for tests that start from a connected account). */
	grantTokens(openId: string, options?: { clientId?: string; scope?: string }): TikTokTokens;
	/** Makes every live access token (of `openId`, or of everyone) expired; refresh tokens keep working. */
	expireAccessTokens(openId?: string): void;
	/** Makes every refresh token (of `openId`, or of everyone) expired: the next refresh fails. */
	expireRefreshTokens(openId?: string): void;
	/** True while `accessToken` would be accepted by the business endpoints. */
	isAccessTokenValid(accessToken: string): boolean;
	/** Comment replies accepted, in order. */
	replies: TikTokCommentReply[];
	/** A customer's comment on one of the business's videos, as `business/comment/list/` lists it. */
	addComment(businessId: string, videoId: string, comment: { userId?: string; text: string }): TikTokListedComment;
	/** Messages accepted, in order. */
	messages: TikTokSentMessage[];
	/** Access tokens revoked through `oauth2/revoke/`, in order. */
	revoked: string[];
	/** Successful refreshes so far. */
	readonly refreshCount: number;
	/**
	 * Calls of `refresh_token/`, refused ones included. A refresh token is single use, so two processes racing with
	 * the same one give refreshCount 1 either way: "one refresh, never two" is refreshAttempts === 1.
	 */
	readonly refreshAttempts: number;
	/** The next `count` business calls (get / reply / send) answer this TikTok error (default: 40100 too many requests). */
	failNextCalls(count: number, failure?: Partial<TikTokFailure>): void;
}

export interface FakeTikTokBusinessOptions {
	/** Apps known to the fake (default: one, FAKE_TIKTOK_CLIENT_ID / FAKE_TIKTOK_CLIENT_SECRET). */
	apps?: TikTokApp[];
	/** The fake's clock in milliseconds (default Date.now), for expiry tests. */
	now?: () => number;
	/** Called as the fake accepts a reply or a message (an e2e test can await it). */
	onReply?: (reply: TikTokCommentReply) => void;
	onMessage?: (message: TikTokSentMessage) => void;
}

interface AccessGrant {
	openId: string;
	clientId: string;
	scope: string;
	/** Epoch ms. */
	expiresAt: number;
	revoked: boolean;
	/** The grant (one authorization) the token belongs to: revoking the access token ends its refresh tokens too. */
	grantId: string;
}

interface RefreshGrant extends Omit<AccessGrant, 'revoked'> {
	used: boolean;
}

interface PendingCode {
	openId: string;
	clientId: string;
	redirectUri?: string;
	scope: string;
	used: boolean;
}

function requestId(): string {
	const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
	return `${stamp}${randomBytes(9).toString('hex').toUpperCase()}`;
}

/** A 19-digit id, always above 2^53 (9.007e15), like TikTok's comment, video and message ids. */
export function snowflake(): string {
	return `73${String(randomInt(0, 2 ** 47)).padStart(15, '0')}${randomInt(10, 99)}`;
}

function token(prefix: string): string {
	return `${prefix}.${randomBytes(24).toString('base64url')}`;
}

/** TikTok's error envelope, with HTTP 200 as TikTok answers it. */
export function tiktokError(code: number, message: string): FakeHttpError {
	return new FakeHttpError(200, { code, message, request_id: requestId(), data: {} });
}

function ok(data: unknown): FakeReply {
	return { status: 200, body: { code: 0, message: 'OK', request_id: requestId(), data } };
}

const invalid = (message: string) => tiktokError(TIKTOK_CODES.invalidParameter, message);

function jsonBody(request: RecordedRequest): Record<string, unknown> {
	if (mediaType(request) !== 'application/json') {
		throw invalid(`Content-Type must be application/json, got '${mediaType(request) || '(none)'}'`);
	}
	if (!isPlainObject(request.json)) throw invalid('The request body is not a valid JSON object');
	return request.json;
}

function requiredString(body: Record<string, unknown>, field: string): string {
	const value = body[field];
	if (value === undefined || value === null || value === '') throw invalid(`${field}: Missing data for required field.`);
	if (typeof value !== 'string') throw invalid(`${field}: Not a valid string.`);
	return value;
}

/** A snowflake id sent as a JSON string of digits; a JSON number here has already been rounded by the sender. */
function idString(body: Record<string, unknown>, field: string): string {
	if (typeof body[field] === 'number') throw invalid(`${field}: Not a valid string (ids must be sent as strings).`);
	const value = requiredString(body, field);
	if (!/^\d{1,24}$/.test(value)) throw invalid(`${field}: Invalid id.`);
	return value;
}

function text(value: unknown, field: string, limit: number): string {
	if (typeof value !== 'string' || value.trim() === '') throw invalid(`${field}: Missing data for required field.`);
	if ([...value].length > limit) throw invalid(`${field}: Length must be between 1 and ${limit}.`);
	return value;
}

export async function startFakeTikTokBusiness(options: FakeTikTokBusinessOptions = {}): Promise<FakeTikTokBusiness> {
	const now = options.now ?? Date.now;
	const apps = new Map<string, string>();
	for (const app of options.apps ?? [{ clientId: FAKE_TIKTOK_CLIENT_ID, clientSecret: FAKE_TIKTOK_CLIENT_SECRET }]) {
		apps.set(app.clientId, app.clientSecret);
	}
	const [defaultClientId] = apps.keys();
	if (defaultClientId === undefined) throw new Error('startFakeTikTokBusiness needs at least one app');

	const accounts = new Map<string, TikTokProfile>();
	const codes = new Map<string, PendingCode>();
	const accessTokens = new Map<string, AccessGrant>();
	const refreshTokens = new Map<string, RefreshGrant>();
	const failures = new FailureQueue<Partial<TikTokFailure>>();
	const replies: TikTokCommentReply[] = [];
	const messages: TikTokSentMessage[] = [];
	const revoked: string[] = [];
	let refreshCount = 0;
	let refreshAttempts = 0;

	const profileOf = (openId: string): TikTokProfile => {
		let profile = accounts.get(openId);
		if (!profile) {
			profile = { display_name: `Business ${openId.slice(-6)}`, username: `business_${openId.slice(-6).toLowerCase()}` };
			accounts.set(openId, profile);
		}
		return profile;
	};

	const mint = (openId: string, clientId: string, scope: string, grantId: string): TikTokTokens => {
		const accessToken = token('act');
		const refreshToken = token('rft');
		const issuedAt = now();
		accessTokens.set(accessToken, { openId, clientId, scope, grantId, expiresAt: issuedAt + ACCESS_TOKEN_TTL_SECONDS * 1000, revoked: false });
		refreshTokens.set(refreshToken, { openId, clientId, scope, grantId, expiresAt: issuedAt + REFRESH_TOKEN_TTL_SECONDS * 1000, used: false });
		profileOf(openId);
		return {
			open_id: openId,
			scope,
			access_token: accessToken,
			expires_in: ACCESS_TOKEN_TTL_SECONDS,
			refresh_token: refreshToken,
			refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS,
			token_type: 'Bearer',
		};
	};

	/** client_id / client_secret of the OAuth endpoints; the app's id for the grant checks. */
	const authenticateApp = (body: Record<string, unknown>): string => {
		const clientId = requiredString(body, 'client_id');
		const clientSecret = requiredString(body, 'client_secret');
		if (apps.get(clientId) !== clientSecret) {
			throw tiktokError(TIKTOK_CODES.noPermission, 'Authorization failed: client_id or client_secret is invalid.');
		}
		return clientId;
	};

	const exchangeCode = (request: RecordedRequest): FakeReply => {
		const body = jsonBody(request);
		const clientId = authenticateApp(body);
		if (body.grant_type !== 'authorization_code') throw invalid('grant_type: Must be authorization_code.');
		const authCode = requiredString(body, 'auth_code');
		const redirectUri = requiredString(body, 'redirect_uri');
		const pending = codes.get(authCode);
		if (!pending || pending.used || pending.clientId !== clientId) throw invalid('auth_code is invalid or has expired.');
		// A code is single use even when the exchange then fails (as in OAuth 2.0: a replayed code is suspect).
		pending.used = true;
		if (pending.redirectUri !== undefined && pending.redirectUri !== redirectUri) {
			throw invalid('redirect_uri does not match the one used in the authorization request.');
		}
		return ok(mint(pending.openId, clientId, pending.scope, randomBytes(8).toString('hex')));
	};

	const refresh = (request: RecordedRequest): FakeReply => {
		refreshAttempts++;
		const body = jsonBody(request);
		const clientId = authenticateApp(body);
		if (body.grant_type !== 'refresh_token') throw invalid('grant_type: Must be refresh_token.');
		const refreshToken = requiredString(body, 'refresh_token');
		const grant = refreshTokens.get(refreshToken);
		if (!grant || grant.used || grant.clientId !== clientId || grant.expiresAt <= now()) {
			throw invalid('refresh_token is invalid or has expired.');
		}
		grant.used = true;
		refreshCount++;
		return ok(mint(grant.openId, clientId, grant.scope, grant.grantId));
	};

	const revoke = (request: RecordedRequest): FakeReply => {
		const body = jsonBody(request);
		const clientId = authenticateApp(body);
		const accessToken = requiredString(body, 'access_token');
		const grant = accessTokens.get(accessToken);
		if (!grant || grant.clientId !== clientId) {
			throw tiktokError(TIKTOK_CODES.accessTokenInvalid, 'Access token is incorrect or has been revoked.');
		}
		grant.revoked = true;
		for (const refreshGrant of refreshTokens.values()) {
			if (refreshGrant.grantId === grant.grantId) refreshGrant.used = true;
		}
		revoked.push(accessToken);
		return ok({});
	};

	/** The Access-Token header's grant; refuses a missing, unknown, revoked or expired token. */
	const authenticate = (request: RecordedRequest): AccessGrant => {
		const header = request.headers['access-token'];
		const value = Array.isArray(header) ? undefined : header?.trim();
		if (!value) throw tiktokError(TIKTOK_CODES.accessTokenEmpty, 'Access token is empty.');
		const grant = accessTokens.get(value);
		if (!grant || grant.revoked || grant.expiresAt <= now()) {
			throw tiktokError(TIKTOK_CODES.accessTokenInvalid, 'Access token is incorrect or has been revoked.');
		}
		return grant;
	};

	/** The token may only act for the business account that granted it. */
	const authorizeBusiness = (grant: AccessGrant, businessId: string): void => {
		if (grant.openId !== businessId) {
			throw tiktokError(TIKTOK_CODES.noPermission, 'No permission to operate this business account (business_id does not match the access token).');
		}
	};

	const scriptedFailure = (): void => {
		const failure = failures.take();
		if (!failure) return;
		const code = failure.code ?? TIKTOK_CODES.tooManyRequests;
		throw tiktokError(code, failure.message ?? (code === TIKTOK_CODES.tooManyRequests ? 'Too many requests. Please retry in some time.' : 'Request failed.'));
	};

	const getBusiness = (request: RecordedRequest): FakeReply => {
		const grant = authenticate(request);
		const businessId = request.query.business_id;
		if (!businessId) throw invalid('business_id: Missing data for required field.');
		let fields = ['username', 'display_name', 'profile_image'];
		if (request.query.fields !== undefined) {
			let parsed: unknown;
			try {
				parsed = JSON.parse(request.query.fields);
			} catch {
				parsed = undefined;
			}
			// TikTok takes array parameters of a GET as a JSON literal (fields=["a","b"]), not repeated keys or CSV.
			if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((field) => typeof field === 'string')) {
				throw invalid('fields: Not a valid list (send a JSON array of strings).');
			}
			const unknown = parsed.find((field) => !PROFILE_FIELDS.includes(field as string));
			if (unknown !== undefined) throw invalid(`fields: Invalid field ${JSON.stringify(unknown)}.`);
			fields = parsed as string[];
		}
		authorizeBusiness(grant, businessId);
		scriptedFailure();
		const profile = profileOf(businessId);
		const data: Record<string, unknown> = {};
		for (const field of fields) data[field] = profile[field] ?? null;
		return ok(data);
	};

	const replyToComment = (request: RecordedRequest): FakeReply => {
		const grant = authenticate(request);
		const body = jsonBody(request);
		const businessId = requiredString(body, 'business_id');
		const videoId = idString(body, 'video_id');
		const commentId = idString(body, 'comment_id');
		const replyText = text(body.text, 'text', COMMENT_TEXT_LIMIT);
		authorizeBusiness(grant, businessId);
		scriptedFailure();
		const reply: TikTokCommentReply = { businessId, videoId, commentId, text: replyText, replyCommentId: snowflake() };
		replies.push(reply);
		comments.push({ businessId, videoId, commentId: reply.replyCommentId, userId: businessId, text: replyText, createTime: Math.floor(now() / 1000), parentCommentId: commentId });
		options.onReply?.(reply);
		return ok({
			comment_id: reply.replyCommentId,
			video_id: videoId,
			parent_comment_id: commentId,
			text: replyText,
			create_time: Math.floor(now() / 1000),
			owner: true,
			username: profileOf(businessId).username,
			display_name: profileOf(businessId).display_name,
		});
	};

	const sendMessage = (request: RecordedRequest): FakeReply => {
		const grant = authenticate(request);
		const body = jsonBody(request);
		const businessId = requiredString(body, 'business_id');
		if (body.recipient_type !== 'CONVERSATION') throw invalid('recipient_type: Must be CONVERSATION.');
		const recipient = requiredString(body, 'recipient');
		if (body.message_type !== 'TEXT') throw invalid('message_type: The fake accepts TEXT only.');
		if (!isPlainObject(body.text)) throw invalid('text: Missing data for required field.');
		const messageText = text(body.text.body, 'text.body', MESSAGE_TEXT_LIMIT);
		authorizeBusiness(grant, businessId);
		scriptedFailure();
		const message: TikTokSentMessage = { businessId, recipientType: 'CONVERSATION', recipient, text: messageText, messageId: snowflake() };
		messages.push(message);
		options.onMessage?.(message);
		return ok({ message: { message_id: message.messageId } });
	};

	/** Comments by video: seeded by tests (`addComment`) and the replies the fake accepted, oldest first. */
	const comments: TikTokListedComment[] = [];

	const listComments = (request: RecordedRequest): FakeReply => {
		const grant = authenticate(request);
		const businessId = request.query.business_id;
		const videoId = request.query.video_id;
		if (!businessId) throw invalid('business_id: Missing data for required field.');
		if (!videoId || !/^\d{1,24}$/.test(videoId)) throw invalid('video_id: Missing data for required field.');
		const maxCount = Number(request.query.max_count ?? '20');
		const cursor = Number(request.query.cursor ?? '0');
		if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > 30) throw invalid('max_count: Must be between 1 and 30.');
		if (!Number.isInteger(cursor) || cursor < 0) throw invalid('cursor: Not a valid integer.');
		authorizeBusiness(grant, businessId);
		scriptedFailure();
		const ofVideo = comments.filter((comment) => comment.businessId === businessId && comment.videoId === videoId);
		const page = ofVideo.slice(cursor, cursor + maxCount);
		return ok({
			comments: page.map((comment) => ({
				comment_id: comment.commentId,
				video_id: comment.videoId,
				user_id: comment.userId,
				text: comment.text,
				create_time: comment.createTime,
				parent_comment_id: comment.parentCommentId,
				owner: comment.userId === businessId,
			})),
			cursor: cursor + page.length,
			has_more: cursor + page.length < ofVideo.length,
		});
	};

	const routes: Record<string, (request: RecordedRequest) => FakeReply> = {
		'GET /business/comment/list/': listComments,
		'POST /tt_user/oauth2/token/': exchangeCode,
		'POST /tt_user/oauth2/refresh_token/': refresh,
		'POST /tt_user/oauth2/revoke/': revoke,
		'GET /business/get/': getBusiness,
		'POST /business/comment/reply/create/': replyToComment,
		'POST /business/message/send/': sendMessage,
	};

	const server = await startFakeServer((request) => {
		const path = request.path.startsWith(`${TIKTOK_API_BASE_PATH}/`) ? request.path.slice(TIKTOK_API_BASE_PATH.length) : undefined;
		const route = path === undefined ? undefined : routes[`${request.method} ${path}`];
		if (!route) throw tiktokError(TIKTOK_CODES.noSchemaFound, `no schema found for ${request.method} ${request.path}`);
		return route(request);
	});

	const eachGrant = <T extends { openId: string }>(grants: Iterable<T>, openId: string | undefined, apply: (grant: T) => void) => {
		for (const grant of grants) if (openId === undefined || grant.openId === openId) apply(grant);
	};

	return {
		...server,
		apiBase: `${server.url}${TIKTOK_API_BASE_PATH}`,
		clientId: defaultClientId,
		clientSecret: apps.get(defaultClientId)!,
		seedApp: (app) => void apps.set(app.clientId, app.clientSecret),
		seedAccount: (openId, profile) => void accounts.set(openId, profile),
		issueAuthCode(openId, issue = {}) {
			const clientId = issue.clientId ?? defaultClientId;
			if (!apps.has(clientId)) throw new Error(`unknown TikTok app ${clientId}: seed it first`);
			const code = token('code');
			codes.set(code, { openId, clientId, redirectUri: issue.redirectUri, scope: issue.scope ?? DEFAULT_SCOPE, used: false });
			return code;
		},
		grantTokens: (openId, grant = {}) =>
			mint(openId, grant.clientId ?? defaultClientId, grant.scope ?? DEFAULT_SCOPE, randomBytes(8).toString('hex')),
		expireAccessTokens: (openId) => eachGrant(accessTokens.values(), openId, (grant) => (grant.expiresAt = 0)),
		expireRefreshTokens: (openId) => eachGrant(refreshTokens.values(), openId, (grant) => (grant.expiresAt = 0)),
		isAccessTokenValid: (accessToken) => {
			const grant = accessTokens.get(accessToken);
			return grant !== undefined && !grant.revoked && grant.expiresAt > now();
		},
		replies,
		addComment: (businessId, videoId, comment) => {
			const listed = { businessId, videoId, commentId: snowflake(), userId: comment.userId ?? `-000${randomBytes(6).toString('hex')}`, text: comment.text, createTime: Math.floor(now() / 1000), parentCommentId: '0' };
			comments.push(listed);
			return listed;
		},
		messages,
		revoked,
		get refreshCount() {
			return refreshCount;
		},
		get refreshAttempts() {
			return refreshAttempts;
		},
		failNextCalls: (count, failure = {}) => failures.push(count, failure),
	};
}
