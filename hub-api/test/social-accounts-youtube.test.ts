/**
 * A YouTube channel connected through Google OAuth with PKCE (the real Google client, @googleapis/youtube, against the
 * fake Google OAuth + YouTube Data API, test/fakes/google-youtube.ts): comment threads read and replies sent with the
 * channel's own token, refreshed when due, and the Google project's daily quota counted in Redis for every tenant.
 */
import { createHash, randomBytes } from 'node:crypto';
import { FAKE_GOOGLE_CLIENT, type FakeGoogleYouTube, startFakeGoogleYouTube } from '../../test/fakes/google-youtube';
import Redis from 'ioredis';
import { pacificQuotaDay, YouTubeQuota } from '../src/modules/social-accounts/youtube-quota';
import type { SecretKey } from '../src/secrets/secret-box';
import type { SeededTenant } from '../src/seed';
import { closedPort, createManualClock, startTestHub, type TestHub } from './support';

const REDIRECT_BASE = 'https://hub.example.test';
const DAILY_QUOTA = 120;
const keyring: SecretKey[] = [{ id: 'k1', key: randomBytes(32) }];
const clock = createManualClock('2026-12-04T18:00:00Z');
let google: FakeGoogleYouTube;
let hub: TestHub;

beforeAll(async () => {
	google = await startFakeGoogleYouTube();
	google.registerClient({ ...FAKE_GOOGLE_CLIENT, redirectUris: [`${REDIRECT_BASE}/api/social-accounts/youtube/callback`] });
	hub = await startTestHub({
		clock: clock.now,
		encryptionKeys: keyring,
		social: {
			redirectBaseUrl: REDIRECT_BASE,
			youtube: {
				clientId: FAKE_GOOGLE_CLIENT.clientId,
				clientSecret: FAKE_GOOGLE_CLIENT.clientSecret,
				oauthUrl: google.url,
				apiUrl: google.url,
				dailyQuota: DAILY_QUOTA,
			},
		},
	});
});
afterAll(async () => {
	await hub?.close();
	await google?.close();
});

const channelId = () => `UC${randomBytes(11).toString('base64url')}`;

async function connectedChannel(): Promise<{ seeded: SeededTenant; channel: string; authUrl: URL }> {
	const seeded = await hub.createTenant();
	const owner = await hub.addUser(seeded.account.id, 'owner');
	const channel = channelId();
	google.addChannel(channel, 'Ana Bakery TV');
	const started = await hub.request('/api/social-accounts/youtube/auth-url', { token: owner.accessToken });
	const authUrl = new URL(started.body.url);
	const back = new URL(google.consent(started.body.url, channel).redirectUrl);
	const callback = await hub.request(`${back.pathname}${back.search}`);
	expect([callback.status, callback.body.error]).toEqual([200, undefined]);
	return { seeded, channel, authUrl };
}

const comments = (key: string, channel: string, pageToken?: string) =>
	hub.request(`/api/social-accounts/youtube/comments?accountExternalId=${channel}${pageToken ? `&pageToken=${pageToken}` : ''}`, { key });
const reply = (key: string, channel: string, parentId: string) =>
	hub.request('/api/social-accounts/youtube/reply-comment', { key, body: { accountExternalId: channel, parentId, text: 'Thank you!' } });

/** Each test starts a new quota day (Pacific) so the counts are its own. */
beforeEach(() => {
	clock.set(pacificQuotaDay(clock.now()).resetAt);
	google.setQuotaExceeded(false);
});

describe('a YouTube connection', () => {
	it('asks for offline access to youtube.force-ssl with an S256 challenge, and claims the channel', async () => {
		const { seeded, channel, authUrl } = await connectedChannel();
		expect(Object.fromEntries(authUrl.searchParams)).toMatchObject({
			access_type: 'offline',
			prompt: 'consent',
			scope: 'https://www.googleapis.com/auth/youtube.force-ssl',
			code_challenge_method: 'S256',
			client_id: FAKE_GOOGLE_CLIENT.clientId,
			redirect_uri: `${REDIRECT_BASE}/api/social-accounts/youtube/callback`,
		});
		expect(authUrl.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
		const listed = await hub.request('/api/social-accounts', { key: seeded.apiKey.key });
		expect(listed.body.socialAccounts).toEqual([
			expect.objectContaining({ provider: 'youtube', externalId: channel, name: 'Ana Bakery TV', channels: [{ provider: 'youtube', externalId: channel, name: 'Ana Bakery TV' }] }),
		]);
		// The PKCE verifier never left the hub: the token request carried one whose S256 is the URL's challenge.
		const exchange = google.requests.find((request) => request.path === '/token' && request.rawBody.includes('authorization_code'))!;
		const verifier = new URLSearchParams(exchange.rawBody).get('code_verifier')!;
		expect(createHash('sha256').update(verifier).digest('base64url')).toBe(authUrl.searchParams.get('code_challenge'));
	});

	it('lists comment threads newest first and replies with the channel token, counting the quota', async () => {
		const { seeded, channel } = await connectedChannel();
		const older = google.addComment(channel, { author: 'Bea', text: 'How much is the cake?', publishedAt: new Date(Date.now() - 60_000).toISOString() });
		const newer = google.addComment(channel, { author: 'Carl', text: 'Open on Sunday?' });

		const page = await comments(seeded.apiKey.key, channel);
		expect(page.status).toBe(200);
		expect(page.body.items.map((thread: { id: string }) => thread.id)).toEqual([newer.threadId, older.threadId]);
		expect(page.body.quota).toMatchObject({ used: 1, limit: DAILY_QUOTA, exceeded: false, resetAt: pacificQuotaDay(clock.now()).resetAt.toISOString() });

		const replied = await reply(seeded.apiKey.key, channel, newer.commentId);
		expect(replied.status).toBe(200);
		expect(google.replies.at(-1)).toMatchObject({ id: replied.body.messageId, parentId: newer.commentId, text: 'Thank you!', channelId: channel });
		expect((await comments(seeded.apiKey.key, channel)).body.quota.used).toBe(1 + 50 + 1);
	});

	it('lists the working channels: every tenant\'s for the platform key, its own for an account', async () => {
		const first = await connectedChannel();
		const second = await connectedChannel();
		const all = await hub.request('/api/social-accounts/youtube/channels', { key: hub.platformKey });
		expect(all.body.channels).toEqual(
			expect.arrayContaining([
				{ accountId: first.seeded.account.id, channelId: first.channel, name: 'Ana Bakery TV' },
				{ accountId: second.seeded.account.id, channelId: second.channel, name: 'Ana Bakery TV' },
			]),
		);
		const own = await hub.request('/api/social-accounts/youtube/channels', { key: first.seeded.apiKey.key });
		expect(own.body.channels).toEqual([{ accountId: first.seeded.account.id, channelId: first.channel, name: 'Ana Bakery TV' }]);
		await hub.dataSource.query(`UPDATE social_accounts SET status = 'reauth_required' WHERE external_id = $1`, [first.channel]);
		const afterLoss = await hub.request('/api/social-accounts/youtube/channels', { key: hub.platformKey });
		expect(afterLoss.body.channels.map((channel: { channelId: string }) => channel.channelId)).not.toContain(first.channel);
	});

	it("lists the channel's activities with the channel token, counting a unit", async () => {
		const { seeded, channel } = await connectedChannel();
		const comment = google.addComment(channel, { author: 'Bea', text: 'Super vidéo' });
		const page = await hub.request(`/api/social-accounts/youtube/activities?accountExternalId=${channel}`, { key: seeded.apiKey.key });
		expect(page.status).toBe(200);
		expect(page.body.items).toEqual([expect.objectContaining({ kind: 'youtube#activity', contentDetails: { upload: { videoId: comment.videoId } } })]);
		expect(page.body.quota.used).toBe(1);
	});

	it("refuses a call that would pass the day's quota before making it, for every tenant", async () => {
		const first = await connectedChannel();
		const second = await connectedChannel();
		const parent = google.addComment(first.channel, { author: 'Bea', text: 'hi' });
		expect((await reply(first.seeded.apiKey.key, first.channel, parent.commentId)).status).toBe(200);
		expect((await reply(second.seeded.apiKey.key, second.channel, parent.commentId)).status).not.toBe(429);
		const insertsBefore = google.requests.filter((request) => request.path === '/youtube/v3/comments').length;
		const refused = await reply(first.seeded.apiKey.key, first.channel, parent.commentId);
		expect([refused.status, refused.body.error.code]).toEqual([429, 'youtube_quota_exceeded']);
		expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(google.requests.filter((request) => request.path === '/youtube/v3/comments').length).toBe(insertsBefore);
	});

	it("stops calling once Google answers quotaExceeded, until Google's reset", async () => {
		const { seeded, channel } = await connectedChannel();
		google.setQuotaExceeded(true);
		const refused = await comments(seeded.apiKey.key, channel);
		expect([refused.status, refused.body.error.code]).toEqual([429, 'youtube_quota_exceeded']);
		google.setQuotaExceeded(false);
		const callsBefore = google.requests.length;
		expect((await comments(seeded.apiKey.key, channel)).status).toBe(429);
		expect(google.requests.length).toBe(callsBefore);

		clock.set(pacificQuotaDay(clock.now()).resetAt);
		const next = await comments(seeded.apiKey.key, channel);
		expect([next.status, next.body.quota]).toEqual([200, expect.objectContaining({ used: 1, exceeded: false })]);
	});

	it('refreshes the token before it lapses, and keeps the refresh token Google does not resend', async () => {
		const { seeded, channel } = await connectedChannel();
		const refreshesBefore = google.refreshes.length;
		clock.advance(3600_000 - 4 * 60_000);
		expect((await comments(seeded.apiKey.key, channel)).status).toBe(200);
		expect(google.refreshes.length - refreshesBefore).toBe(1);
		// Refreshed with the same refresh token later on: Google answered a new access token only.
		clock.advance(3600_000);
		expect((await comments(seeded.apiKey.key, channel)).status).toBe(200);
		expect(google.refreshes.length - refreshesBefore).toBe(2);
	});

	it('marks the channel reauth_required once Google refuses the grant', async () => {
		const { seeded, channel } = await connectedChannel();
		google.revokeGrants(channel);
		google.expireTokens(channel);
		const lost = await comments(seeded.apiKey.key, channel);
		expect([lost.status, lost.body.error.code]).toEqual([409, 'reauth_required']);
		const listed = await hub.request('/api/social-accounts', { key: seeded.apiKey.key });
		expect(listed.body.socialAccounts[0].status).toBe('reauth_required');
	});
});

describe('the quota count with Redis down', () => {
	it('refuses the call with 503 youtube_quota_unavailable rather than spend units it cannot count', async () => {
		const offline = new Redis(`redis://127.0.0.1:${await closedPort()}`, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
		offline.on('error', () => {});
		try {
			const quota = new YouTubeQuota(offline, 'yt-offline', FAKE_GOOGLE_CLIENT.clientId, DAILY_QUOTA, clock.now);
			for (const attempt of [() => quota.spend(1), () => quota.view(), () => quota.markExceeded()]) {
				await expect(attempt()).rejects.toMatchObject({ status: 503, code: 'youtube_quota_unavailable' });
			}
		} finally {
			offline.disconnect();
		}
	});
});
