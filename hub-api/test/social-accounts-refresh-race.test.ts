/**
 * One refresh, never two: a hub in this process and a hub in a process of its own (src/main.ts, as deployed), one
 * database and one REDIS_NAMESPACE, both asked to send with a TikTok token about to lapse at the same moment. The
 * connection's row lock (SELECT … FOR UPDATE) makes one of them refresh and the others read the new token; TikTok's
 * refresh tokens are single use, so a second refresh would show as a second attempt at the fake (and a refusal).
 */
import { randomBytes } from 'node:crypto';
import { type FakeTikTokBusiness, startFakeTikTokBusiness } from '../../test/fakes/tiktok-business';
import { type HubProcess, startHubProcess } from './hub-process';
import {
	createTestDatabase,
	sendRequest,
	startTestHub,
	TEST_JWT_SECRET,
	TEST_REDIS_URL,
	type TestDatabase,
	type TestHub,
} from './support';

const key = randomBytes(32);
const REDIRECT_BASE = 'https://hub.example.test';
let tiktok: FakeTikTokBusiness;
let database: TestDatabase;
let inProcess: TestHub;
let otherProcess: HubProcess;

beforeAll(async () => {
	tiktok = await startFakeTikTokBusiness();
	database = await createTestDatabase();
	const namespace = `race-test-${randomBytes(4).toString('hex')}`;
	const app = { appId: tiktok.clientId, appSecret: tiktok.clientSecret, apiUrl: tiktok.apiBase, authorizeUrl: `${tiktok.url}/v2/auth/authorize/` };
	inProcess = await startTestHub({
		database,
		loginThrottlePrefix: namespace,
		encryptionKeys: [{ id: 'k1', key }],
		social: { redirectBaseUrl: REDIRECT_BASE, tiktok: app },
	});
	otherProcess = await startHubProcess({
		DATABASE_URL: database.url,
		REDIS_URL: TEST_REDIS_URL,
		REDIS_NAMESPACE: namespace,
		JWT_SECRET: TEST_JWT_SECRET,
		ENCRYPTION_KEYS: `k1:${key.toString('base64')}`,
		OAUTH_REDIRECT_BASE_URL: REDIRECT_BASE,
		TIKTOK_APP_ID: app.appId,
		TIKTOK_APP_SECRET: app.appSecret,
		TIKTOK_API_URL: app.apiUrl,
		RATE_LIMIT_PER_MINUTE: '10000',
	});
	// Starting a process that compiles the hub's sources takes a few seconds; nothing here asserts on time.
}, 120_000);
afterAll(async () => {
	await otherProcess?.stop();
	await inProcess?.close();
	await database?.drop();
	await tiktok?.close();
});

it('refreshes a lapsing token once when two hub processes race for it', async () => {
	const seeded = await inProcess.createTenant();
	const owner = await inProcess.addUser(seeded.account.id, 'owner');
	const businessId = `-000${randomBytes(6).toString('hex')}`;
	tiktok.seedAccount(businessId, { display_name: 'Salon Ana', username: 'salon.ana' });
	const started = await inProcess.request('/api/social-accounts/tiktok/auth-url', { token: owner.accessToken });
	const url = new URL(started.body.url);
	const code = tiktok.issueAuthCode(businessId, { redirectUri: url.searchParams.get('redirect_uri')! });
	// The person comes back through the other process: the state is in the Redis both share.
	const callback = await sendRequest(otherProcess.url, `/api/social-accounts/tiktok/callback?auth_code=${code}&state=${url.searchParams.get('state')}`, {});
	expect(callback.status).toBe(200);

	// The token now lapses within the refresh margin (5 minutes), for both processes' clocks.
	await inProcess.dataSource.query(`UPDATE social_accounts SET token_expires_at = now() + interval '2 minutes' WHERE external_id = $1`, [businessId]);
	const attemptsBefore = tiktok.refreshAttempts;
	const send = (baseUrl: string) =>
		sendRequest(baseUrl, '/api/social-accounts/tiktok/send-message', {
			key: seeded.apiKey.key,
			body: { accountExternalId: businessId, recipientId: '-000user', providerConversationId: 'conv-1', text: 'Bonjour !' },
		});
	const answers = await Promise.all([...Array(4)].flatMap(() => [send(inProcess.url), send(otherProcess.url)]));

	expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
	expect(tiktok.refreshAttempts - attemptsBefore).toBe(1);
	const [row] = await inProcess.dataSource.query(`SELECT status, token_expires_at > now() + interval '1 hour' AS fresh FROM social_accounts WHERE external_id = $1`, [businessId]);
	expect(row).toEqual({ status: 'active', fresh: true });
});
