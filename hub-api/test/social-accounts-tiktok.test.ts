/**
 * A TikTok business account connected through OAuth (the fake API for Business, test/fakes/tiktok-business.ts), its
 * messages sent with its own token, and the token's refresh: 5 minutes ahead of expiry, and a refused refresh marking
 * the account reauth_required with a live event. (Replicas racing for one refresh: social-accounts-refresh-race.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { type FakeTikTokBusiness, startFakeTikTokBusiness } from '../../test/fakes/tiktok-business';
import type { SocialAccountStatusEvent } from '../src/hub-events';
import type { SecretKey } from '../src/secrets/secret-box';
import type { SeededTenant } from '../src/seed';
import {
	createManualClock,
	createTestDatabase,
	logPipelineMessage,
	startTestHub,
	type TestDatabase,
	type TestHub,
	type TestUser,
} from './support';

const keyring: SecretKey[] = [{ id: 'k1', key: randomBytes(32) }];
const clock = createManualClock(new Date());
const namespace = `tiktok-test-${randomBytes(4).toString('hex')}`;
let tiktok: FakeTikTokBusiness;
let database: TestDatabase;
/** Two replicas of one deployment: one database, one Redis namespace. */
let hub: TestHub;
let replica: TestHub;
const sockets: Socket[] = [];

beforeAll(async () => {
	tiktok = await startFakeTikTokBusiness({ now: () => clock.now().getTime() });
	database = await createTestDatabase();
	const options = {
		database,
		loginThrottlePrefix: namespace,
		clock: clock.now,
		encryptionKeys: keyring,
		// Replicas behind one public URL: the redirect URI is the same whichever issued the state.
		social: { redirectBaseUrl: 'https://hub.example.test', tiktok: { appId: tiktok.clientId, appSecret: tiktok.clientSecret, apiUrl: tiktok.apiBase, authorizeUrl: `${tiktok.url}/v2/auth/authorize/` } },
	};
	hub = await startTestHub(options);
	replica = await startTestHub(options);
});
afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await replica?.close();
	await hub?.close();
	await database?.drop();
	await tiktok?.close();
});

const openId = () => `-000${randomBytes(6).toString('hex')}`;

async function connectedTenant(): Promise<{ seeded: SeededTenant; owner: TestUser; businessId: string; id: string }> {
	const seeded = await hub.createTenant();
	const owner = await hub.addUser(seeded.account.id, 'owner');
	const businessId = openId();
	tiktok.seedAccount(businessId, { username: 'ana.bakery', display_name: 'Ana Bakery' });
	const started = await hub.request('/api/social-accounts/tiktok/auth-url', { token: owner.accessToken });
	const url = new URL(started.body.url);
	const redirectUri = url.searchParams.get('redirect_uri')!;
	const code = tiktok.issueAuthCode(businessId, { redirectUri });
	// TikTok appends auth_code (and code) to the redirect URI; the callback may land on either replica.
	const callback = await replica.request(`/api/social-accounts/tiktok/callback?auth_code=${encodeURIComponent(code)}&state=${url.searchParams.get('state')}`);
	expect([callback.status, callback.body.error]).toEqual([200, undefined]);
	expect(redirectUri).toBe('https://hub.example.test/api/social-accounts/tiktok/callback');
	return { seeded, owner, businessId, id: callback.body.socialAccount.id };
}

const send = (target: TestHub, key: string, businessId: string, text = 'Thanks for writing!') =>
	target.request('/api/social-accounts/tiktok/send-message', {
		key,
		body: { accountExternalId: businessId, recipientId: '-000user', providerConversationId: 'conv-1', text },
	});

describe('a TikTok connection', () => {
	it('is listed under its open_id with the business name, claims the account and stores no readable token', async () => {
		const { seeded, businessId } = await connectedTenant();
		const listed = await hub.request('/api/social-accounts', { key: seeded.apiKey.key });
		expect(listed.body.socialAccounts).toEqual([
			expect.objectContaining({ provider: 'tiktok', externalId: businessId, name: 'Ana Bakery', status: 'active', channels: [{ provider: 'tiktok', externalId: businessId, name: 'Ana Bakery' }] }),
		]);
		const [row] = await hub.dataSource.query(`SELECT access_token, refresh_token FROM social_accounts WHERE external_id = $1`, [businessId]);
		for (const value of [row.access_token, row.refresh_token]) expect(value).toMatch(/^v1\.k1\./);
		const routed = await hub.request(`/api/routing/tiktok/${businessId}`, { key: hub.platformKey });
		expect(routed.body.accountId).toBe(seeded.account.id);
	});

	it('sends DMs and comment replies with the account token, and maps TikTok refusals', async () => {
		const { seeded, businessId } = await connectedTenant();
		const sent = await send(hub, seeded.apiKey.key, businessId);
		expect(sent.status).toBe(200);
		expect(tiktok.messages.find((message) => message.messageId === sent.body.messageId)).toMatchObject({ businessId, recipient: 'conv-1', text: 'Thanks for writing!' });

		const replied = await hub.request('/api/social-accounts/tiktok/reply-comment', {
			key: seeded.apiKey.key,
			body: { accountExternalId: businessId, videoId: '7312345678901234567', commentId: '7312345678901234999', text: 'See you soon' },
		});
		expect(replied.status).toBe(200);
		expect(tiktok.replies.at(-1)).toMatchObject({ businessId, videoId: '7312345678901234567', commentId: '7312345678901234999', text: 'See you soon' });

		tiktok.failNextCalls(1);
		const limited = await send(hub, seeded.apiKey.key, businessId);
		expect([limited.status, limited.body.error.code, limited.headers.get('retry-after')]).toEqual([429, 'provider_rate_limited', '60']);
		tiktok.failNextCalls(1, { code: 40002, message: 'text: too long' });
		const refused = await send(hub, seeded.apiKey.key, businessId);
		expect([refused.status, refused.body.error.code]).toEqual([502, 'provider_error']);

		const stranger = await hub.createTenant();
		const notTheirs = await send(hub, stranger.apiKey.key, businessId);
		expect([notTheirs.status, notTheirs.body.error.code]).toEqual([404, 'social_account_not_found']);
	});

	it('refreshes the token ahead of its expiry, on the hub clock', async () => {
		const { seeded, businessId } = await connectedTenant();
		const attemptsBefore = tiktok.refreshAttempts;
		clock.advance(24 * 3_600_000 - 6 * 60_000);
		expect((await send(hub, seeded.apiKey.key, businessId)).status).toBe(200);
		expect(tiktok.refreshAttempts).toBe(attemptsBefore);
		clock.advance(2 * 60_000);
		expect((await send(replica, seeded.apiKey.key, businessId)).status).toBe(200);
		expect(tiktok.refreshAttempts - attemptsBefore).toBe(1);
		const [row] = await hub.dataSource.query(`SELECT status, token_expires_at FROM social_accounts WHERE external_id = $1`, [businessId]);
		expect(row.status).toBe('active');
		expect(new Date(row.token_expires_at).getTime()).toBe(clock.now().getTime() + 24 * 3_600_000);
	});

	it('marks the account reauth_required when TikTok refuses the refresh, and says so live', async () => {
		const { seeded, owner, businessId, id } = await connectedTenant();
		const socket = io(hub.url, { auth: { token: owner.accessToken }, transports: ['websocket'], reconnection: false });
		sockets.push(socket);
		const heard: SocialAccountStatusEvent[] = [];
		socket.on('social-account:status', (event: SocialAccountStatusEvent) => heard.push(event));
		await new Promise((resolve) => socket.on('connect', () => resolve(undefined)));

		tiktok.expireRefreshTokens(businessId);
		clock.advance(24 * 3_600_000);
		const lost = await send(hub, seeded.apiKey.key, businessId);
		expect([lost.status, lost.body.error.code]).toEqual([409, 'reauth_required']);
		while (heard.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
		expect(heard).toEqual([{ accountId: seeded.account.id, id, provider: 'tiktok', externalId: businessId, status: 'reauth_required', at: clock.now().toISOString() }]);

		// Stored, so every replica answers the same without asking TikTok again.
		const attemptsBefore = tiktok.refreshAttempts;
		const again = await send(replica, seeded.apiKey.key, businessId);
		expect([again.status, again.body.error.code]).toEqual([409, 'reauth_required']);
		expect(tiktok.refreshAttempts).toBe(attemptsBefore);
		const listed = await hub.request('/api/social-accounts', { key: seeded.apiKey.key });
		expect(listed.body.socialAccounts[0].status).toBe('reauth_required');
	});

	it('refreshes once and retries when TikTok refuses a token that looked valid', async () => {
		const { seeded, businessId } = await connectedTenant();
		const attemptsBefore = tiktok.refreshAttempts;
		tiktok.failNextCalls(1, { code: 40105, message: 'Access token is incorrect or has been revoked.' });
		const sent = await send(hub, seeded.apiKey.key, businessId);
		expect(sent.status).toBe(200);
		expect(tiktok.refreshAttempts - attemptsBefore).toBe(1);
	});

	it('marks the account reauth_required when TikTok refuses the refreshed token too', async () => {
		const { seeded, businessId } = await connectedTenant();
		tiktok.failNextCalls(2, { code: 40105, message: 'Access token is incorrect or has been revoked.' });
		const lost = await send(hub, seeded.apiKey.key, businessId);
		expect([lost.status, lost.body.error.code]).toEqual([409, 'reauth_required']);
		const messagesBefore = tiktok.messages.length;
		expect((await send(hub, seeded.apiKey.key, businessId)).status).toBe(409);
		expect(tiktok.messages.length).toBe(messagesBefore);
	});

	it("reads a video's comments from TikTok, ids as strings, and the hub's record of the account's messages", async () => {
		const { seeded, businessId } = await connectedTenant();
		const videoId = '7312345678901234567';
		const comment = tiktok.addComment(businessId, videoId, { text: 'Combien ?' });
		const page = await hub.request(`/api/social-accounts/tiktok/comments?accountExternalId=${encodeURIComponent(businessId)}&videoId=${videoId}`, {
			key: seeded.apiKey.key,
		});
		expect(page.status).toBe(200);
		expect(page.body).toMatchObject({ cursor: 1, hasMore: false, comments: [{ comment_id: comment.commentId, video_id: videoId, text: 'Combien ?' }] });
		expect(typeof page.body.comments[0].comment_id).toBe('string');
		const badVideo = await hub.request(`/api/social-accounts/tiktok/comments?accountExternalId=${encodeURIComponent(businessId)}&videoId=abc`, {
			key: seeded.apiKey.key,
		});
		expect(badVideo.status).toBe(422);

		const logged = await hub.request('/api/interactions', {
			key: seeded.apiKey.key,
			body: {
				status: 'replied',
				message: {
					provider: 'tiktok',
					kind: 'dm',
					messageId: '7366666666666666666',
					accountExternalId: businessId,
					conversationId: `tiktok:${businessId}:-000user`,
					contact: { externalId: '-000user' },
					text: 'Ouvert samedi ?',
					timestamp: clock.now().toISOString(),
				},
				reply: { text: 'Oui, de 9 h à 18 h.', externalId: 'tt-msg-1' },
			},
		});
		expect([201, 200]).toContain(logged.status);
		await logPipelineMessage(hub, seeded.apiKey.key, { conversationId: 'instagram-conv', at: clock.now(), reply: 'Bonjour' });
		const record = await hub.request('/api/social-accounts/tiktok/interactions', { key: seeded.apiKey.key });
		expect(record.body.interactions.map((row: { provider: string; messageId: string }) => [row.provider, row.messageId])).toEqual([['tiktok', '7366666666666666666']]);
		const metaRecord = await hub.request('/api/social-accounts/meta/messages', { key: seeded.apiKey.key });
		expect(metaRecord.body.interactions.map((row: { provider: string }) => row.provider)).toEqual(['instagram']);
	});

	it('revokes at TikTok when disconnected', async () => {
		const { seeded, owner, id } = await connectedTenant();
		const revokedBefore = tiktok.revoked.length;
		const response = await hub.request(`/api/social-accounts/${id}`, { method: 'DELETE', token: owner.accessToken });
		expect(response.body).toEqual({ revoked: true });
		expect(tiktok.revoked.length).toBe(revokedBefore + 1);
		expect((await hub.request('/api/social-accounts', { key: seeded.apiKey.key })).body.socialAccounts).toEqual([]);
	});
});
