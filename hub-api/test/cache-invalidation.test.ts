/**
 * The hot path caches authenticated keys and accounts per process (modules/api-keys, modules/accounts). Two replicas
 * on one database and one REDIS_NAMESPACE: a key revoked or rotated through one must stop working on the other,
 * which had it cached, without waiting for the cache's TTL.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import {
	createManualClock,
	createTestDatabase,
	startTestHub,
	TEST_REDIS_URL,
	type TestDatabase,
	type TestHub,
} from './support';

const START = '2026-03-10T12:00:00.000Z';
const GRACE_SECONDS = 600;
const clock = createManualClock(START);
const namespace = `skybot-test-${randomBytes(6).toString('hex')}`;
let database: TestDatabase;
let first: TestHub;
let second: TestHub;
let listener: Redis;

beforeAll(async () => {
	database = await createTestDatabase();
	const options = { database, clock: clock.now, loginThrottlePrefix: namespace, auth: { apiKeyRotationGraceSeconds: GRACE_SECONDS } };
	[first, second] = await Promise.all([startTestHub(options), startTestHub(options)]);
	listener = new Redis(TEST_REDIS_URL);
	await listener.subscribe(`${namespace}:cache-invalidations`);
});
afterAll(async () => {
	listener?.disconnect();
	await Promise.all([first?.close(), second?.close()]);
	await database?.drop();
});
afterEach(() => clock.set(START));

/** Resolves once the invalidation of `id` went over Redis: the second hub, subscribed too, has it as well. */
function invalidationOf(id: string): Promise<void> {
	return new Promise((resolve) => {
		const onMessage = (_channel: string, raw: string) => {
			if ((JSON.parse(raw) as { id: string }).id !== id) return;
			listener.off('message', onMessage);
			resolve();
		};
		listener.on('message', onMessage);
	});
}

const me = (hub: TestHub, key: string) => hub.request('/api/auth/me', { key });

async function keyOnBothHubs() {
	const owner = await first.registerUser();
	const created = await first.request('/api/api-keys', { token: owner.accessToken, body: { name: 'n8n' } });
	const key = created.body.apiKey as { id: string; key: string };
	// Both replicas have authenticated (and so cached) the key.
	expect((await me(first, key.key)).status).toBe(200);
	expect((await me(second, key.key)).status).toBe(200);
	return { owner, key };
}

it('a key revoked through one replica answers 401 on the other, which had it cached', async () => {
	const { owner, key } = await keyOnBothHubs();
	const published = invalidationOf(key.id);
	expect((await first.request(`/api/api-keys/${key.id}`, { token: owner.accessToken, method: 'DELETE' })).status).toBe(204);
	expect((await me(first, key.key)).status).toBe(401);
	await published;
	expect((await me(second, key.key)).status).toBe(401);
});

it('a key rotated through one replica stops on the other when the grace period ends', async () => {
	const { owner, key } = await keyOnBothHubs();
	const published = invalidationOf(key.id);
	const rotated = await first.request(`/api/api-keys/${key.id}/rotate`, { token: owner.accessToken, method: 'POST' });
	expect(rotated.status).toBe(201);
	await published;
	expect((await me(second, key.key)).status).toBe(200);
	clock.advance(GRACE_SECONDS * 1000);
	expect((await me(second, key.key)).status).toBe(401);
	expect((await me(second, rotated.body.apiKey.key)).status).toBe(200);
});
