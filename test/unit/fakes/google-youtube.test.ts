import { createHash } from 'node:crypto';

import { auth as googleAuth, youtube as googleYouTube } from '@googleapis/youtube';

import { FAKE_GOOGLE_CLIENT, type FakeGoogleYouTube, startFakeGoogleYouTube, YOUTUBE_SCOPES } from '../../fakes/google-youtube';

const CHANNEL = 'UCskybotTestChannel0000a';
const VERIFIER = 'x'.repeat(20) + '-._~' + 'A1b2C3d4E5f6G7h8I9j0';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const REDIRECT = FAKE_GOOGLE_CLIENT.redirectUris[0]!;

let fake: FakeGoogleYouTube;

beforeEach(async () => {
	fake = await startFakeGoogleYouTube();
	fake.addChannel(CHANNEL, 'SkyBot Test Channel');
});
afterEach(() => fake.close());

/** The real client, as the hub builds it, pointed at the fake. */
function oauthClient() {
	return new googleAuth.OAuth2({
		clientId: FAKE_GOOGLE_CLIENT.clientId,
		clientSecret: FAKE_GOOGLE_CLIENT.clientSecret,
		redirectUri: REDIRECT,
		endpoints: fake.oauthEndpoints,
		// Without it google-auth-library only refreshes ahead of expiry_date, never on a 401.
		forceRefreshOnFailure: true,
		// gaxios otherwise loads node-fetch with a dynamic import(), which Jest's CommonJS runtime refuses
		// ("A dynamic import callback was invoked without --experimental-vm-modules"); Node's own fetch is what it
		// would use anyway.
		transporterOptions: { fetchImplementation: fetch },
	});
}
const youtube = (auth: InstanceType<typeof googleAuth.OAuth2>) => googleYouTube({ version: 'v3', auth, rootUrl: fake.rootUrl });

interface TokenBody {
	access_token: string;
	refresh_token?: string;
	expires_in: number;
	token_type: string;
	scope: string;
	error?: string;
	error_description?: string;
}
interface DataApiErrorBody {
	error: { code: number; message: string; status?: string; errors: { reason: string; domain: string }[] };
}

function postForm(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
	return fetch(`${fake.url}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
		body: new URLSearchParams(form).toString(),
	});
}
const codeForm = (code: string, extra: Record<string, string> = {}) => ({
	grant_type: 'authorization_code',
	code,
	client_id: FAKE_GOOGLE_CLIENT.clientId,
	client_secret: FAKE_GOOGLE_CLIENT.clientSecret,
	redirect_uri: REDIRECT,
	code_verifier: VERIFIER,
	...extra,
});
const api = (path: string, token: string | undefined, init: RequestInit = {}) =>
	fetch(`${fake.url}${path}`, {
		...init,
		headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) },
	});
const insert = (token: string, body: unknown, query = '?part=snippet') =>
	api(`/youtube/v3/comments${query}`, token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('fake Google OAuth with the real Google client (@googleapis/youtube)', () => {
	it('runs the PKCE authorization-code flow, lists the channel, pages comments, replies, refreshes and revokes', async () => {
		const auth = oauthClient();
		const { codeVerifier, codeChallenge } = await auth.generateCodeVerifierAsync();
		const authUrl = auth.generateAuthUrl({
			access_type: 'offline',
			scope: [YOUTUBE_SCOPES.forceSsl],
			state: 'state-123',
			code_challenge: codeChallenge,
			code_challenge_method: 'S256' as never,
		});
		expect(authUrl.startsWith(fake.oauthEndpoints.oauth2AuthBaseUrl)).toBe(true);
		expect((await fetch(authUrl)).status).toBe(200);
		const consent = fake.consent(authUrl, CHANNEL);
		expect(new URL(consent.redirectUrl).searchParams.get('state')).toBe('state-123');

		const { tokens } = await auth.getToken({ code: consent.code, codeVerifier });
		expect(tokens).toMatchObject({ access_token: expect.stringMatching(/^ya29\./), refresh_token: expect.any(String), token_type: 'Bearer', scope: YOUTUBE_SCOPES.forceSsl });
		auth.setCredentials({ ...tokens, expiry_date: undefined });

		const client = youtube(auth);
		const channels = await client.channels.list({ part: ['snippet'], mine: true });
		expect(channels.data.items).toEqual([expect.objectContaining({ id: CHANNEL, snippet: expect.objectContaining({ title: 'SkyBot Test Channel' }) })]);

		const added = [1, 2, 3].map((n) => fake.addComment(CHANNEL, { author: `Fan ${n}`, text: `Comment ${n}`, publishedAt: `2026-12-01T10:00:0${n}Z` }));
		const first = await client.commentThreads.list({ part: ['snippet'], allThreadsRelatedToChannelId: CHANNEL, order: 'time', maxResults: 2 });
		expect(first.data.kind).toBe('youtube#commentThreadListResponse');
		expect(first.data.items?.map((thread) => thread.id)).toEqual([added[2]!.threadId, added[1]!.threadId]);
		expect(first.data.items?.[0]?.snippet?.topLevelComment).toMatchObject({
			id: added[2]!.commentId,
			snippet: { textDisplay: 'Comment 3', authorDisplayName: 'Fan 3', authorChannelId: { value: added[2]!.authorChannelId }, publishedAt: '2026-12-01T10:00:03Z', videoId: added[2]!.videoId },
		});
		const second = await client.commentThreads.list({ part: ['snippet'], allThreadsRelatedToChannelId: CHANNEL, order: 'time', maxResults: 2, pageToken: first.data.nextPageToken! });
		expect(second.data.items?.map((thread) => thread.id)).toEqual([added[0]!.threadId]);
		expect(second.data.nextPageToken).toBeUndefined();

		const reply = await client.comments.insert({ part: ['snippet'], requestBody: { snippet: { parentId: added[0]!.commentId, textOriginal: 'Merci !' } } });
		expect(reply.data).toMatchObject({ kind: 'youtube#comment', id: expect.stringContaining(`${added[0]!.commentId}.`), snippet: { parentId: added[0]!.commentId, textOriginal: 'Merci !' } });
		expect(fake.replies).toEqual([expect.objectContaining({ parentId: added[0]!.commentId, text: 'Merci !', channelId: CHANNEL })]);
		expect(fake.quota.used).toBe(1 + 2 + 50);

		// An expired access token: the client gets a 401, refreshes once with the refresh token, and retries.
		fake.expireTokens(CHANNEL);
		const again = await client.channels.list({ part: ['id'], mine: true });
		expect(again.data.items?.[0]?.id).toBe(CHANNEL);
		expect(fake.refreshes).toHaveLength(1);

		await auth.revokeToken(tokens.refresh_token!);
		expect(fake.revoked).toEqual([tokens.refresh_token]);
		const refused = await postForm('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: FAKE_GOOGLE_CLIENT.clientId, client_secret: FAKE_GOOGLE_CLIENT.clientSecret });
		expect(refused.status).toBe(400);
		expect(await refused.json()).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
	});

	it('surfaces quotaExceeded to googleapis as a 403 with the youtube.quota domain', async () => {
		const auth = oauthClient();
		auth.setCredentials({ access_token: fake.issueTokens(CHANNEL).accessToken });
		fake.setQuotaExceeded(true);
		await expect(youtube(auth).commentThreads.list({ part: ['snippet'], allThreadsRelatedToChannelId: CHANNEL })).rejects.toMatchObject({
			status: 403,
			response: { data: { error: { code: 403, errors: [expect.objectContaining({ reason: 'quotaExceeded', domain: 'youtube.quota' })] } } },
		});
		fake.setQuotaExceeded(false);
		const listed = await youtube(auth).commentThreads.list({ part: ['snippet'], allThreadsRelatedToChannelId: CHANNEL });
		expect(listed.data.items).toEqual([]);
	});
});

describe('fake Google token endpoint', () => {
	it('exchanges a code once, with client_secret_basic too, and answers the token shape', async () => {
		const code = fake.issueAuthCode({ channelId: CHANNEL, codeChallenge: CHALLENGE });
		const basic = Buffer.from(`${FAKE_GOOGLE_CLIENT.clientId}:${FAKE_GOOGLE_CLIENT.clientSecret}`).toString('base64');
		const withoutClient: Record<string, string> = codeForm(code);
		delete withoutClient.client_id;
		delete withoutClient.client_secret;
		const response = await postForm('/token', withoutClient, { authorization: `Basic ${basic}` });
		expect(response.status).toBe(200);
		const body = (await response.json()) as TokenBody;
		expect(body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), expires_in: 3599, scope: YOUTUBE_SCOPES.forceSsl, token_type: 'Bearer' });

		const reused = await postForm('/token', codeForm(code));
		expect(reused.status).toBe(400);
		expect(((await reused.json()) as TokenBody).error).toBe('invalid_grant');
	});

	it('refreshes without a new refresh token and counts it', async () => {
		const { refreshToken } = fake.issueTokens(CHANNEL);
		const response = await postForm('/token', { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: FAKE_GOOGLE_CLIENT.clientId, client_secret: FAKE_GOOGLE_CLIENT.clientSecret });
		const body = (await response.json()) as TokenBody;
		expect(body.access_token).toMatch(/^ya29\./);
		expect(body.refresh_token).toBeUndefined();
		expect(fake.refreshes).toEqual([expect.objectContaining({ channelId: CHANNEL, clientId: FAKE_GOOGLE_CLIENT.clientId })]);
		fake.revokeGrants(CHANNEL);
		const revoked = await postForm('/token', { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: FAKE_GOOGLE_CLIENT.clientId, client_secret: FAKE_GOOGLE_CLIENT.clientSecret });
		expect(revoked.status).toBe(400);
		expect(fake.refreshes).toHaveLength(1);
	});

	it.each([
		['a wrong PKCE verifier', { code_verifier: 'y'.repeat(43) }, 400, 'invalid_grant'],
		['a verifier with forbidden characters', { code_verifier: 'short!' }, 400, 'invalid_grant'],
		['no verifier for a PKCE code', { code_verifier: undefined }, 400, 'invalid_grant'],
		['another redirect_uri', { redirect_uri: 'http://evil.example/cb' }, 400, 'redirect_uri_mismatch'],
		['no redirect_uri', { redirect_uri: undefined }, 400, 'invalid_request'],
		['an unknown code', { code: '4/0Aunknown' }, 400, 'invalid_grant'],
		['a wrong client secret', { client_secret: 'nope' }, 401, 'invalid_client'],
		['an unknown client', { client_id: 'other.apps.googleusercontent.com' }, 401, 'invalid_client'],
		['no client at all', { client_id: undefined, client_secret: undefined }, 400, 'invalid_request'],
		['an unsupported grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type'],
	])('refuses %s', async (_case, change, status, error) => {
		const code = fake.issueAuthCode({ channelId: CHANNEL, codeChallenge: CHALLENGE });
		const form: Record<string, string> = { ...codeForm(code) };
		for (const [key, value] of Object.entries(change)) {
			if (value === undefined) delete form[key];
			else form[key] = value;
		}
		const response = await postForm('/token', form);
		expect(response.status).toBe(status);
		const body = (await response.json()) as TokenBody;
		expect(body.error).toBe(error);
		expect(body.error_description).toEqual(expect.any(String));
	});

	it('refuses a verifier for a code issued without PKCE, an expired code, and a JSON body', async () => {
		const plain = fake.issueAuthCode({ channelId: CHANNEL });
		expect((await postForm('/token', codeForm(plain))).status).toBe(400);
		const expired = fake.issueAuthCode({ channelId: CHANNEL, codeChallenge: CHALLENGE });
		fake.expireAuthCodes();
		expect(((await (await postForm('/token', codeForm(expired))).json()) as TokenBody).error).toBe('invalid_grant');
		const json = await fetch(`${fake.url}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(codeForm('x')) });
		expect(json.status).toBe(400);
	});

	it('accepts a plain PKCE challenge', async () => {
		const code = fake.issueAuthCode({ channelId: CHANNEL, codeChallenge: VERIFIER, codeChallengeMethod: 'plain' });
		expect((await postForm('/token', codeForm(code))).status).toBe(200);
	});

	it('revokes with the token in the form body, and refuses an unknown token', async () => {
		const { accessToken } = fake.issueTokens(CHANNEL);
		expect((await postForm('/revoke', { token: accessToken })).status).toBe(200);
		expect((await api('/youtube/v3/channels?part=id&mine=true', accessToken)).status).toBe(401);
		const unknown = await postForm('/revoke', { token: 'nope' });
		expect(unknown.status).toBe(400);
		expect((await postForm('/revoke', {})).status).toBe(400);
	});

	it('checks the consent page query like Google does', async () => {
		const good = new URLSearchParams({ client_id: FAKE_GOOGLE_CLIENT.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: YOUTUBE_SCOPES.forceSsl });
		expect((await fetch(`${fake.oauthEndpoints.oauth2AuthBaseUrl}?${good}`)).status).toBe(200);
		const badRedirect = new URLSearchParams(good);
		badRedirect.set('redirect_uri', 'http://evil.example/cb');
		expect((await fetch(`${fake.oauthEndpoints.oauth2AuthBaseUrl}?${badRedirect}`)).status).toBe(400);
		expect(() => fake.consent(`${fake.oauthEndpoints.oauth2AuthBaseUrl}?${badRedirect}`, CHANNEL)).toThrow();
		const noScope = new URLSearchParams(good);
		noScope.delete('scope');
		expect((await fetch(`${fake.oauthEndpoints.oauth2AuthBaseUrl}?${noScope}`)).status).toBe(400);
	});
});

describe('fake YouTube Data API', () => {
	let token: string;
	beforeEach(() => {
		token = fake.issueTokens(CHANNEL).accessToken;
	});

	const threads = (query: string, bearer: string | undefined = token) => api(`/youtube/v3/commentThreads?${query}`, bearer);
	const errorOf = async (response: Response) => ((await response.json()) as DataApiErrorBody).error;

	it('answers 401 in Google envelope for no token, an unknown token and an expired one', async () => {
		for (const bearer of [undefined, 'ya29.unknown']) {
			const response = await api('/youtube/v3/channels?part=snippet&mine=true', bearer);
			expect(response.status).toBe(401);
			expect(await errorOf(response)).toMatchObject({ code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'authError' }] });
		}
		fake.expireTokens();
		expect((await api('/youtube/v3/channels?part=snippet&mine=true', token)).status).toBe(401);
	});

	it('pages newest first and keeps the page stable while new comments arrive', async () => {
		const old = [1, 2, 3].map((n) => fake.addComment(CHANNEL, { author: 'a', text: `t${n}`, publishedAt: '2026-12-01T10:00:00Z' }));
		const page1 = (await (await threads(`part=snippet&allThreadsRelatedToChannelId=${CHANNEL}&order=time&maxResults=2`)).json()) as { items: { id: string }[]; nextPageToken: string };
		// Same instant: the one added last is listed first.
		expect(page1.items.map((item) => item.id)).toEqual([old[2]!.threadId, old[1]!.threadId]);
		fake.addComment(CHANNEL, { author: 'b', text: 'newer' });
		const page2 = (await (await threads(`part=snippet&allThreadsRelatedToChannelId=${CHANNEL}&order=time&maxResults=2&pageToken=${page1.nextPageToken}`)).json()) as { items: { id: string }[]; nextPageToken?: string };
		expect(page2.items.map((item) => item.id)).toEqual([old[0]!.threadId]);
	});

	it('answers replies with part=replies and escapes textDisplay unless plainText', async () => {
		const added = fake.addComment(CHANNEL, { author: 'a', text: '<b>hi</b> & bye' });
		await insert(token, { snippet: { parentId: added.commentId, textOriginal: 'thanks' } });
		const body = (await (await threads(`part=snippet,replies&allThreadsRelatedToChannelId=${CHANNEL}`)).json()) as {
			items: { snippet: { totalReplyCount: number; topLevelComment: { snippet: { textDisplay: string } } }; replies: { comments: { snippet: { textOriginal: string } }[] } }[];
		};
		expect(body.items[0]!.snippet.totalReplyCount).toBe(1);
		expect(body.items[0]!.snippet.topLevelComment.snippet.textDisplay).toBe('&lt;b&gt;hi&lt;/b&gt; &amp; bye');
		// textOriginal only for the comment's author: the channel's own reply has it, the fan's comment does not.
		expect(body.items[0]!.replies.comments[0]!.snippet.textOriginal).toBe('thanks');
		expect(body.items[0]!.snippet.topLevelComment.snippet).not.toHaveProperty('textOriginal');
		const plain = (await (await threads(`part=snippet&textFormat=plainText&allThreadsRelatedToChannelId=${CHANNEL}`)).json()) as typeof body;
		expect(plain.items[0]!.snippet.topLevelComment.snippet.textDisplay).toBe('<b>hi</b> & bye');
	});

	it.each([
		['no part', `allThreadsRelatedToChannelId=${CHANNEL}`, 400, 'required'],
		['an unknown part', `part=statistics&allThreadsRelatedToChannelId=${CHANNEL}`, 400, 'unknownPart'],
		['no filter', 'part=snippet', 400, 'missingRequiredParameter'],
		['two filters', `part=snippet&allThreadsRelatedToChannelId=${CHANNEL}&videoId=abc`, 400, 'incompatibleParameters'],
		['maxResults 0', `part=snippet&allThreadsRelatedToChannelId=${CHANNEL}&maxResults=0`, 400, 'invalidValue'],
		['maxResults 101', `part=snippet&allThreadsRelatedToChannelId=${CHANNEL}&maxResults=101`, 400, 'invalidValue'],
		['an unknown order', `part=snippet&allThreadsRelatedToChannelId=${CHANNEL}&order=newest`, 400, 'invalidValue'],
		['a forged page token', `part=snippet&allThreadsRelatedToChannelId=${CHANNEL}&pageToken=garbage`, 400, 'invalidPageToken'],
		['an unknown channel', 'part=snippet&allThreadsRelatedToChannelId=UCunknown', 404, 'channelNotFound'],
	])('commentThreads.list refuses %s', async (_case, query, status, reason) => {
		const response = await threads(query);
		expect(response.status).toBe(status);
		expect((await errorOf(response)).errors[0]!.reason).toBe(reason);
	});

	it('channels.list needs part and mine=true', async () => {
		expect((await errorOf(await api('/youtube/v3/channels?mine=true', token))).errors[0]!.reason).toBe('required');
		expect((await api('/youtube/v3/channels?part=snippet', token)).status).toBe(400);
	});

	it.each([
		['no part', { snippet: { parentId: 'x', textOriginal: 'hi' } }, '', 'required'],
		['no snippet', {}, '?part=snippet', 'invalidCommentMetadata'],
		['no parentId', { snippet: { textOriginal: 'hi' } }, '?part=snippet', 'parentIdMissing'],
		['no text', { snippet: { parentId: 'x', textOriginal: ' ' } }, '?part=snippet', 'commentTextRequired'],
		['a text over 10 000 characters', { snippet: { parentId: 'x', textOriginal: 'x'.repeat(10_001) } }, '?part=snippet', 'commentTextTooLong'],
	])('comments.insert refuses %s with 400', async (_case, body, query, reason) => {
		const response = await insert(token, body, query);
		expect(response.status).toBe(400);
		expect((await errorOf(response)).errors[0]!.reason).toBe(reason);
		expect(fake.replies).toHaveLength(0);
	});

	it('comments.insert refuses a non-JSON body, an unknown parent, a reply as parent and a read-only token', async () => {
		const parse = await api('/youtube/v3/comments?part=snippet', token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"snippet":' });
		expect((await errorOf(parse)).errors[0]!.reason).toBe('parseError');
		const unknown = await insert(token, { snippet: { parentId: 'UgzUnknown', textOriginal: 'hi' } });
		expect(unknown.status).toBe(404);
		expect((await errorOf(unknown)).errors[0]!.reason).toBe('commentNotFound');
		const added = fake.addComment(CHANNEL, { author: 'a', text: 'q' });
		const ok = (await (await insert(token, { snippet: { parentId: added.commentId, textOriginal: 'r' } })).json()) as { id: string };
		expect((await insert(token, { snippet: { parentId: ok.id, textOriginal: 'r' } })).status).toBe(400);
		const readonly = fake.issueTokens(CHANNEL, { scope: [YOUTUBE_SCOPES.readonly] }).accessToken;
		const forbidden = await insert(readonly, { snippet: { parentId: added.commentId, textOriginal: 'r' } });
		expect(forbidden.status).toBe(403);
		expect((await errorOf(forbidden)).errors[0]!.reason).toBe('insufficientPermissions');
		expect(fake.replies).toHaveLength(1);
	});

	it('counts quota units and answers quotaExceeded once the daily limit is reached', async () => {
		const small = await startFakeGoogleYouTube({ quotaLimit: 51 });
		try {
			const bearer = small.issueTokens(CHANNEL).accessToken;
			const added = small.addComment(CHANNEL, { author: 'a', text: 'q' });
			const body = JSON.stringify({ snippet: { parentId: added.commentId, textOriginal: 'r' } });
			const post = () => fetch(`${small.url}/youtube/v3/comments?part=snippet`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body });
			expect((await post()).status).toBe(200);
			const refused = await post();
			expect(refused.status).toBe(403);
			expect((await errorOf(refused)).errors[0]).toMatchObject({ reason: 'quotaExceeded', domain: 'youtube.quota' });
			expect(small.quota).toEqual({ used: 50, limit: 51 });
			const list = await fetch(`${small.url}/youtube/v3/commentThreads?part=id&allThreadsRelatedToChannelId=${CHANNEL}`, { headers: { authorization: `Bearer ${bearer}` } });
			expect(list.status).toBe(200);
		} finally {
			await small.close();
		}
	});

	it('fails the next calls when scripted, then answers again', async () => {
		fake.failNext(1, { status: 500, reason: 'backendError' });
		const failed = await threads(`part=snippet&allThreadsRelatedToChannelId=${CHANNEL}`);
		expect(failed.status).toBe(500);
		expect((await errorOf(failed)).errors[0]!.reason).toBe('backendError');
		expect((await threads(`part=snippet&allThreadsRelatedToChannelId=${CHANNEL}`)).status).toBe(200);
	});

	it('answers an unknown route 404', async () => {
		expect((await api('/youtube/v3/videos?part=snippet', token)).status).toBe(404);
	});
});
