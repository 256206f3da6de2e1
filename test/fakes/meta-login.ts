/**
 * Facebook Login's server side, as the hub's Meta connection uses it, served by the fake Graph API (meta-graph.ts,
 * option `login`):
 *   GET    /{v}/oauth/access_token?client_id&client_secret&redirect_uri&code    code → short-lived user token (single use)
 *   GET    /{v}/oauth/access_token?grant_type=fb_exchange_token&…             short-lived → long-lived user token
 *   GET    /{v}/me?fields=id,name                                             the user of a user token
 *   GET    /{v}/me/accounts?fields=…                                          the user's pages, with page tokens and IG accounts
 *   POST   /{v}/{page-id}/subscribed_apps (subscribed_fields)                 subscribe the app to the page (page token)
 *   DELETE /{v}/{user-id}/permissions                                        revoke the app (user token)
 * Errors are Graph's `{error: {message, type, code, fbtrace_id}}`: unknown client or secret, a reused or unknown code,
 * a redirect_uri differing from the authorization's, a wrong kind of token.
 */
import { randomBytes } from 'node:crypto';
import { bearerToken, type FakeReply, type RecordedRequest } from './http-fake.ts';
import { graphError } from './meta-graph.ts';

export interface FakeMetaPage {
	id: string;
	name: string;
	instagram?: { id: string; username: string };
}

export interface FakeMetaUser {
	id: string;
	name: string;
	pages: FakeMetaPage[];
}

export interface FakeMetaLogin {
	appId: string;
	appSecret: string;
	/** A code as Facebook Login would append to `redirectUri` once `user` consented. */
	issueCode(user: FakeMetaUser, redirectUri: string): string;
	/**
	 * The page token the fake handed out for a page, or for the Instagram account linked to it: what the Send API
	 * must be called with for that account.
	 */
	pageTokenOf(accountId: string): string | undefined;
	/** Pages the app was subscribed to, in order. */
	subscribedPages: string[];
	/** Users whose permissions were deleted (revoked). */
	revokedUsers: string[];
	/** Graph's handler for the paths above; undefined when the request is not one of them. */
	handle(request: RecordedRequest, segments: string[]): FakeReply | undefined;
}

const token = (prefix: string) => `${prefix}${randomBytes(18).toString('base64url')}`;

export function createFakeMetaLogin(app: { appId?: string; appSecret?: string } = {}): FakeMetaLogin {
	const appId = app.appId ?? '1234567890123';
	const appSecret = app.appSecret ?? 'fake-meta-app-secret';
	const codes = new Map<string, { user: FakeMetaUser; redirectUri: string }>();
	const shortTokens = new Map<string, FakeMetaUser>();
	const userTokens = new Map<string, FakeMetaUser>();
	const pageTokens = new Map<string, string>();
	/** Instagram account id → the page it is linked to. */
	const instagramPages = new Map<string, string>();
	const subscribedPages: string[] = [];
	const revokedUsers: string[] = [];

	const oauthException = (message: string, code: number) => graphError(400, { message, code, type: 'OAuthException' });

	const checkClient = (query: Record<string, string>) => {
		if (query.client_id !== appId) throw oauthException('Error validating application. Invalid application ID.', 101);
		if (query.client_secret !== appSecret) throw oauthException('Error validating client secret.', 1);
	};

	const userOf = (request: RecordedRequest, tokens: Map<string, FakeMetaUser>): FakeMetaUser => {
		const presented = bearerToken(request) ?? request.query.access_token;
		const user = presented ? tokens.get(presented) : undefined;
		if (!user) throw graphError(401, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
		return user;
	};

	const accessToken = (request: RecordedRequest): FakeReply => {
		const query = request.query;
		checkClient(query);
		if (query.grant_type === 'fb_exchange_token') {
			const user = query.fb_exchange_token ? shortTokens.get(query.fb_exchange_token) : undefined;
			if (!user) throw oauthException('Invalid OAuth access token - Cannot parse access token', 190);
			const longLived = token('EAAlong');
			userTokens.set(longLived, user);
			return { status: 200, body: { access_token: longLived, token_type: 'bearer', expires_in: 5_183_944 } };
		}
		if (!query.code) throw oauthException('Missing authorization code', 100);
		const issued = codes.get(query.code);
		if (!issued) throw oauthException('This authorization code has been used.', 100);
		codes.delete(query.code);
		if (query.redirect_uri !== issued.redirectUri) {
			throw oauthException('Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request', 100);
		}
		const shortLived = token('EAAshort');
		shortTokens.set(shortLived, issued.user);
		return { status: 200, body: { access_token: shortLived, token_type: 'bearer', expires_in: 5_400 } };
	};

	const pages = (request: RecordedRequest): FakeReply => {
		const user = userOf(request, userTokens);
		const fields = request.query.fields ?? '';
		if (!fields.includes('access_token')) throw oauthException('(#100) fields must include access_token to receive page tokens', 100);
		const data = user.pages.map((page) => {
			const pageToken = pageTokens.get(page.id) ?? token('EAApage');
			pageTokens.set(page.id, pageToken);
			if (page.instagram) instagramPages.set(page.instagram.id, page.id);
			return {
				id: page.id,
				name: page.name,
				access_token: pageToken,
				...(page.instagram && fields.includes('instagram_business_account') ? { instagram_business_account: page.instagram } : {}),
			};
		});
		return { status: 200, body: { data, paging: { cursors: { before: 'b', after: 'a' } } } };
	};

	const subscribe = (request: RecordedRequest, pageId: string): FakeReply => {
		const presented = bearerToken(request) ?? request.query.access_token;
		if (!presented || pageTokens.get(pageId) !== presented) {
			throw graphError(403, { message: '(#210) A page access token is required to request this resource.', code: 210 });
		}
		const fields = new URLSearchParams(request.rawBody).get('subscribed_fields') ?? request.query.subscribed_fields;
		if (!fields) throw oauthException('(#100) The parameter subscribed_fields is required', 100);
		subscribedPages.push(pageId);
		return { status: 200, body: { success: true } };
	};

	const revoke = (request: RecordedRequest, userId: string): FakeReply => {
		const user = userOf(request, userTokens);
		if (user.id !== userId) throw oauthException('(#200) Cannot revoke another user\'s permissions', 200);
		revokedUsers.push(userId);
		for (const [value, holder] of userTokens) if (holder.id === userId) userTokens.delete(value);
		return { status: 200, body: { success: true } };
	};

	return {
		appId,
		appSecret,
		subscribedPages,
		revokedUsers,
		pageTokenOf: (accountId) => pageTokens.get(instagramPages.get(accountId) ?? accountId),
		issueCode(user, redirectUri) {
			const code = token('AQ');
			codes.set(code, { user, redirectUri });
			return code;
		},
		handle(request, segments) {
			const [first, second, ...rest] = segments;
			if (rest.length > 0) return undefined;
			if (first === 'oauth' && second === 'access_token' && request.method === 'GET') return accessToken(request);
			if (first === 'me' && second === undefined && request.method === 'GET' && userTokens.size > 0) {
				const presented = bearerToken(request) ?? request.query.access_token;
				const user = presented ? userTokens.get(presented) : undefined;
				return user ? { status: 200, body: { id: user.id, name: user.name } } : undefined;
			}
			if (first === 'me' && second === 'accounts' && request.method === 'GET') return pages(request);
			if (first && second === 'subscribed_apps' && request.method === 'POST') return subscribe(request, first);
			if (first && second === 'permissions' && request.method === 'DELETE') return revoke(request, first);
			return undefined;
		},
	};
}
