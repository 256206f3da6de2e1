import {
	FAKE_TIKTOK_CLIENT_ID,
	FAKE_TIKTOK_CLIENT_SECRET,
	FAKE_TIKTOK_REDIRECT_URI,
	type FakeTikTokBusiness,
	startFakeTikTokBusiness,
	TIKTOK_CODES,
} from '../../fakes/tiktok-business';

/** TikTok's envelope, success or error (both HTTP 200). */
interface Envelope {
	code: number;
	message: string;
	request_id: string;
	data: Record<string, unknown>;
}

const BUSINESS_ID = '-000ABCdefGHIjkl_business-open-id';
const VIDEO_ID = '7312345678901234567';
const COMMENT_ID = '7398765432109876543';
const CONVERSATION_ID = '7355555555555555555:conversation';

let clock = Date.now();
let tiktok: FakeTikTokBusiness;

beforeEach(async () => {
	clock = Date.now();
	tiktok = await startFakeTikTokBusiness({ now: () => clock });
});
afterEach(() => tiktok.close());

async function call(
	path: string,
	init: { method?: 'GET' | 'POST'; body?: unknown; raw?: string; accessToken?: string; contentType?: string } = {},
): Promise<{ status: number; body: Envelope; text: string }> {
	const headers: Record<string, string> = {};
	if (init.method !== 'GET') headers['content-type'] = init.contentType ?? 'application/json';
	if (init.accessToken !== undefined) headers['access-token'] = init.accessToken;
	const response = await fetch(`${tiktok.apiBase}${path}`, {
		method: init.method ?? 'POST',
		headers,
		body: init.method === 'GET' ? undefined : (init.raw ?? JSON.stringify(init.body)),
	});
	const text = await response.text();
	return { status: response.status, body: JSON.parse(text) as Envelope, text };
}

const app = { client_id: FAKE_TIKTOK_CLIENT_ID, client_secret: FAKE_TIKTOK_CLIENT_SECRET };

function exchange(authCode: string, overrides: Record<string, unknown> = {}) {
	return call('/tt_user/oauth2/token/', {
		body: { ...app, grant_type: 'authorization_code', auth_code: authCode, redirect_uri: FAKE_TIKTOK_REDIRECT_URI, ...overrides },
	});
}

function refresh(refreshToken: string) {
	return call('/tt_user/oauth2/refresh_token/', { body: { ...app, grant_type: 'refresh_token', refresh_token: refreshToken } });
}

const replyBody = { business_id: BUSINESS_ID, video_id: VIDEO_ID, comment_id: COMMENT_ID, text: 'Merci ! On vous écrit en DM.' };
const messageBody = {
	business_id: BUSINESS_ID,
	recipient_type: 'CONVERSATION',
	recipient: CONVERSATION_ID,
	message_type: 'TEXT',
	text: { body: 'Bonjour 👋' },
};

function expectTikTokError(result: { status: number; body: Envelope }, code: number) {
	// TikTok reports API errors in the body: the HTTP status stays 200.
	expect(result.status).toBe(200);
	expect(result.body).toEqual({ code, message: expect.any(String), request_id: expect.any(String), data: {} });
}

describe('fake TikTok Business API: OAuth', () => {
	it('exchanges an auth code for tokens, once', async () => {
		const code = tiktok.issueAuthCode(BUSINESS_ID, { redirectUri: FAKE_TIKTOK_REDIRECT_URI });
		const first = await exchange(code);
		expect(first.status).toBe(200);
		expect(first.body).toEqual({
			code: 0,
			message: 'OK',
			request_id: expect.any(String),
			data: {
				open_id: BUSINESS_ID,
				scope: expect.stringContaining('message.list.send'),
				access_token: expect.any(String),
				expires_in: 86_400,
				refresh_token: expect.any(String),
				refresh_token_expires_in: 31_536_000,
				token_type: 'Bearer',
			},
		});
		expect(tiktok.isAccessTokenValid(first.body.data.access_token as string)).toBe(true);

		expectTikTokError(await exchange(code), TIKTOK_CODES.invalidParameter);
	});

	it('refuses an unknown code, a wrong secret, a wrong grant type, a mismatched redirect_uri and a non-JSON body', async () => {
		expectTikTokError(await exchange('code.unknown'), TIKTOK_CODES.invalidParameter);
		expectTikTokError(await exchange(tiktok.issueAuthCode(BUSINESS_ID), { client_secret: 'wrong' }), TIKTOK_CODES.noPermission);
		expectTikTokError(await exchange(tiktok.issueAuthCode(BUSINESS_ID), { grant_type: 'refresh_token' }), TIKTOK_CODES.invalidParameter);
		expectTikTokError(await exchange(tiktok.issueAuthCode(BUSINESS_ID), { redirect_uri: undefined }), TIKTOK_CODES.invalidParameter);
		const boundCode = tiktok.issueAuthCode(BUSINESS_ID, { redirectUri: FAKE_TIKTOK_REDIRECT_URI });
		expectTikTokError(await exchange(boundCode, { redirect_uri: 'https://evil.example/callback' }), TIKTOK_CODES.invalidParameter);
		// The failed attempt consumed the code.
		expectTikTokError(await exchange(boundCode), TIKTOK_CODES.invalidParameter);
		const form = await call('/tt_user/oauth2/token/', {
			contentType: 'application/x-www-form-urlencoded',
			raw: new URLSearchParams({ ...app, grant_type: 'authorization_code', auth_code: tiktok.issueAuthCode(BUSINESS_ID), redirect_uri: 'x' }).toString(),
		});
		expectTikTokError(form, TIKTOK_CODES.invalidParameter);
	});

	it('refreshes once per refresh token and counts the refreshes', async () => {
		const tokens = tiktok.grantTokens(BUSINESS_ID);
		const refreshed = await refresh(tokens.refresh_token);
		expect(refreshed.body.code).toBe(0);
		expect(refreshed.body.data).toMatchObject({ open_id: BUSINESS_ID, token_type: 'Bearer' });
		expect(refreshed.body.data.access_token).not.toBe(tokens.access_token);
		expect(refreshed.body.data.refresh_token).not.toBe(tokens.refresh_token);
		expect(tiktok.refreshCount).toBe(1);

		// The old refresh token is spent: the second process of a race gets an error, and the count stays at one.
		expectTikTokError(await refresh(tokens.refresh_token), TIKTOK_CODES.invalidParameter);
		expect(tiktok.refreshCount).toBe(1);
		// …which is why a race is detected on the attempts, not on the successes.
		expect(tiktok.refreshAttempts).toBe(2);
		expect((await refresh(refreshed.body.data.refresh_token as string)).body.code).toBe(0);
		expect(tiktok.refreshCount).toBe(2);
	});

	it('refuses an expired refresh token', async () => {
		const tokens = tiktok.grantTokens(BUSINESS_ID);
		tiktok.expireRefreshTokens(BUSINESS_ID);
		expectTikTokError(await refresh(tokens.refresh_token), TIKTOK_CODES.invalidParameter);
		expect(tiktok.refreshCount).toBe(0);
	});

	it('revokes an access token, which also ends its refresh token', async () => {
		const tokens = tiktok.grantTokens(BUSINESS_ID);
		const revoked = await call('/tt_user/oauth2/revoke/', { body: { ...app, access_token: tokens.access_token } });
		expect(revoked.body).toMatchObject({ code: 0, data: {} });
		expect(tiktok.revoked).toEqual([tokens.access_token]);
		expect(tiktok.isAccessTokenValid(tokens.access_token)).toBe(false);
		expectTikTokError(await refresh(tokens.refresh_token), TIKTOK_CODES.invalidParameter);
		expectTikTokError(await call('/business/message/send/', { body: messageBody, accessToken: tokens.access_token }), TIKTOK_CODES.accessTokenInvalid);
		expectTikTokError(
			await call('/tt_user/oauth2/revoke/', { body: { ...app, client_secret: 'nope', access_token: tokens.access_token } }),
			TIKTOK_CODES.noPermission,
		);
	});
});

describe('fake TikTok Business API: business endpoints', () => {
	let accessToken: string;
	beforeEach(() => {
		tiktok.seedAccount(BUSINESS_ID, { display_name: 'Salon Lumière', username: 'salon.lumiere', followers_count: 1200 });
		accessToken = tiktok.grantTokens(BUSINESS_ID).access_token;
	});

	it('answers the profile fields asked for, as a JSON array in the query', async () => {
		const fields = encodeURIComponent(JSON.stringify(['display_name', 'username', 'followers_count']));
		const result = await call(`/business/get/?business_id=${encodeURIComponent(BUSINESS_ID)}&fields=${fields}`, { method: 'GET', accessToken });
		expect(result.body).toMatchObject({ code: 0, data: { display_name: 'Salon Lumière', username: 'salon.lumiere', followers_count: 1200 } });
		const csv = await call(`/business/get/?business_id=${encodeURIComponent(BUSINESS_ID)}&fields=display_name,username`, { method: 'GET', accessToken });
		expectTikTokError(csv, TIKTOK_CODES.invalidParameter);
	});

	it('replies to a comment, writing the reply id into JSON as a string', async () => {
		const result = await call('/business/comment/reply/create/', { body: replyBody, accessToken });
		expect(result.body.code).toBe(0);
		const replyId = result.body.data.comment_id as string;
		expect(typeof replyId).toBe('string');
		expect(BigInt(replyId) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
		expect(result.text).toContain(`"comment_id":"${replyId}"`);
		expect(tiktok.replies).toEqual([{ businessId: BUSINESS_ID, videoId: VIDEO_ID, commentId: COMMENT_ID, text: replyBody.text, replyCommentId: replyId }]);
	});

	it('sends a DM in a conversation and records it', async () => {
		const result = await call('/business/message/send/', { body: messageBody, accessToken });
		expect(result.body).toMatchObject({ code: 0, data: { message: { message_id: expect.stringMatching(/^\d{19}$/) } } });
		expect(tiktok.messages).toEqual([
			{
				businessId: BUSINESS_ID,
				recipientType: 'CONVERSATION',
				recipient: CONVERSATION_ID,
				text: 'Bonjour 👋',
				messageId: (result.body.data.message as { message_id: string }).message_id,
			},
		]);
	});

	it('refuses a missing, a Bearer-prefixed, an unknown and an expired access token', async () => {
		expectTikTokError(await call('/business/message/send/', { body: messageBody }), TIKTOK_CODES.accessTokenEmpty);
		expectTikTokError(await call('/business/message/send/', { body: messageBody, accessToken: `Bearer ${accessToken}` }), TIKTOK_CODES.accessTokenInvalid);
		expectTikTokError(await call('/business/message/send/', { body: messageBody, accessToken: 'act.unknown' }), TIKTOK_CODES.accessTokenInvalid);
		tiktok.expireAccessTokens(BUSINESS_ID);
		expect(tiktok.isAccessTokenValid(accessToken)).toBe(false);
		expectTikTokError(await call('/business/comment/reply/create/', { body: replyBody, accessToken }), TIKTOK_CODES.accessTokenInvalid);
		expect(tiktok.replies).toEqual([]);
		expect(tiktok.messages).toEqual([]);
	});

	it('lets a token act for its own business account only', async () => {
		const other = tiktok.grantTokens('another-business-open-id').access_token;
		expectTikTokError(await call('/business/message/send/', { body: messageBody, accessToken: other }), TIKTOK_CODES.noPermission);
	});

	it('refuses malformed replies: ids as JSON numbers, missing fields, text over 150 characters, form bodies', async () => {
		// 7312345678901234567 as a JSON number has already lost its last digits: TikTok would address another video.
		const numeric = `{"business_id":"${BUSINESS_ID}","video_id":7312345678901234567,"comment_id":"${COMMENT_ID}","text":"hi"}`;
		expectTikTokError(await call('/business/comment/reply/create/', { raw: numeric, accessToken }), TIKTOK_CODES.invalidParameter);
		for (const field of ['business_id', 'video_id', 'comment_id', 'text'] as const) {
			const body: Record<string, unknown> = { ...replyBody };
			delete body[field];
			expectTikTokError(await call('/business/comment/reply/create/', { body, accessToken }), TIKTOK_CODES.invalidParameter);
		}
		expectTikTokError(
			await call('/business/comment/reply/create/', { body: { ...replyBody, text: 'x'.repeat(151) }, accessToken }),
			TIKTOK_CODES.invalidParameter,
		);
		expectTikTokError(
			await call('/business/comment/reply/create/', { body: { ...replyBody, video_id: 'abc' }, accessToken }),
			TIKTOK_CODES.invalidParameter,
		);
		expectTikTokError(
			await call('/business/comment/reply/create/', { raw: 'video_id=1', contentType: 'application/x-www-form-urlencoded', accessToken }),
			TIKTOK_CODES.invalidParameter,
		);
		expect(tiktok.replies).toEqual([]);
	});

	it('refuses malformed messages: another recipient type, another message type, no text body, empty text', async () => {
		const cases = [
			{ ...messageBody, recipient_type: 'USER' },
			{ ...messageBody, message_type: 'IMAGE' },
			{ ...messageBody, text: 'Bonjour' },
			{ ...messageBody, text: { body: '   ' } },
			{ ...messageBody, recipient: undefined },
			{ ...messageBody, text: { body: 'x'.repeat(6001) } },
		];
		for (const body of cases) {
			expectTikTokError(await call('/business/message/send/', { body, accessToken }), TIKTOK_CODES.invalidParameter);
		}
		expect(tiktok.messages).toEqual([]);
	});

	it('answers scripted failures (40100 too many requests by default), then recovers', async () => {
		tiktok.failNextCalls(1);
		expectTikTokError(await call('/business/message/send/', { body: messageBody, accessToken }), TIKTOK_CODES.tooManyRequests);
		expect((await call('/business/message/send/', { body: messageBody, accessToken })).body.code).toBe(0);
		expect(tiktok.messages).toHaveLength(1);
	});

	it('answers 40006 on an unknown path or method', async () => {
		expectTikTokError(await call('/business/unknown/', { body: {}, accessToken }), TIKTOK_CODES.noSchemaFound);
		expectTikTokError(await call('/business/message/send/', { method: 'GET', accessToken }), TIKTOK_CODES.noSchemaFound);
	});
});
