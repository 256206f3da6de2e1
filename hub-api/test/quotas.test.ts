import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { createManualClock, createTestDatabase, startTestHub, TEST_REDIS_URL, type TestDatabase, type TestHub } from './support';
import { expectDocumented } from './support/documented';

// Mid-afternoon UTC, so "today" is unambiguous; the clock only moves when a test moves it.
const clock = createManualClock('2026-03-10T15:00:00.000Z');
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now });
});
afterAll(() => hub?.close());
beforeEach(() => clock.set('2026-03-10T15:00:00.000Z'));

const consumeOn = (target: TestHub, key: string, body: Record<string, unknown>) =>
	target.request('/api/quotas/consume', { key, body });
const consume = (key: string, body: Record<string, unknown>) => consumeOn(hub, key, body);
const freshMessage = () => ({ messageId: `mid.${randomUUID()}`, conversationId: `conv-${randomUUID()}` });

describe('POST /api/quotas/consume', () => {
	it('lets exactly 10 of 50 concurrent DMs through for a Freemium tenant', async () => {
		const { apiKey } = await hub.createTenant({ plan: 'freemium' });
		const responses = await Promise.all(Array.from({ length: 50 }, () => consume(apiKey.key, freshMessage())));

		expect(responses.every((response) => response.status === 200)).toBe(true);
		for (const response of responses) expectDocumented(response, 'post', '/api/quotas/consume');
		const allowed = responses.filter((response) => response.body.allowed);
		expect(allowed).toHaveLength(10);
		expect(allowed.map((response) => response.body.used).sort((a, b) => a - b)).toEqual([
			1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
		]);
		for (const denied of responses.filter((response) => !response.body.allowed)) {
			expect(denied.body).toMatchObject({ limit: 10, remaining: 0, used: 10, plan: 'freemium', duplicate: false });
		}
		expect(allowed[0]!.body.resetAt).toBe('2026-03-11T00:00:00.000Z');
	});

	it('counts a repeated messageId once, also when both copies arrive together', async () => {
		const { apiKey } = await hub.createTenant();
		const message = freshMessage();
		const [first, second] = await Promise.all([consume(apiKey.key, message), consume(apiKey.key, message)]);
		const third = await consume(apiKey.key, message);
		const another = await consume(apiKey.key, freshMessage());

		const answers = [first!.body, second!.body];
		expect(answers.filter((answer) => answer.duplicate)).toHaveLength(1);
		expect(answers.every((answer) => answer.allowed && answer.used === 1)).toBe(true);
		expect(third.body).toMatchObject({ allowed: true, used: 1, remaining: 9, duplicate: true });
		expectDocumented(third, 'post', '/api/quotas/consume');
		expect(another.body).toMatchObject({ used: 2, duplicate: false });
	});

	it('gives a repeat of a denied message the same denial without counting it', async () => {
		const { apiKey } = await hub.createTenant();
		for (let index = 0; index < 10; index += 1) await consume(apiKey.key, freshMessage());
		const message = freshMessage();
		const denied = await consume(apiKey.key, message);
		const repeated = await consume(apiKey.key, message);

		expect(denied.body).toMatchObject({ allowed: false, used: 10, duplicate: false });
		expect(repeated.body).toMatchObject({ allowed: false, used: 10, duplicate: true });
	});

	// Over 100 requests a minute: through the platform key, as the pipeline sends them (account keys are rate limited).
	it('allows 100 of 150 for Premium', async () => {
		const { account } = await hub.createTenant({ plan: 'premium' });
		const responses = await Promise.all(
			Array.from({ length: 150 }, () => consume(hub.platformKey, { ...freshMessage(), accountId: account.id })),
		);
		expect(responses.filter((response) => response.body.allowed)).toHaveLength(100);
		expect(responses.find((response) => !response.body.allowed)!.body).toMatchObject({ limit: 100, remaining: 0 });
	});

	it('allows everything for Ultra and reports the limit as null', async () => {
		const { account } = await hub.createTenant({ plan: 'ultra' });
		const responses = await Promise.all(
			Array.from({ length: 120 }, () => consume(hub.platformKey, { ...freshMessage(), accountId: account.id })),
		);
		expect(responses.every((response) => response.body.allowed)).toBe(true);
		expect(responses[0]!.body).toMatchObject({ limit: null, remaining: null, plan: 'ultra' });
		expect(Math.max(...responses.map((response) => response.body.used))).toBe(120);
	});

	it('leaves no key without an expiry: the day counter outlives its day, the conversation lasts a day, the answer two', async () => {
		const { apiKey, account } = await hub.createTenant();
		const message = freshMessage();
		await consume(apiKey.key, message);
		await consume(apiKey.key, { ...freshMessage(), conversationId: message.conversationId });
		await consume(apiKey.key, message);
		const redis = new Redis(TEST_REDIS_URL);
		try {
			const keys = await redis.keys(`${hub.redisNamespace}:quota:{${account.id}}:*`);
			const ttls = Object.fromEntries(
				await Promise.all(keys.map(async (key) => [key.split(':').slice(3).join(':'), await redis.ttl(key)] as const)),
			);
			const day = 24 * 60 * 60;
			expect(Object.keys(ttls)).toHaveLength(4); // the counter, the conversation, two stored answers
			for (const [key, ttl] of Object.entries(ttls)) {
				const [low, high] = key.startsWith('conversation:') ? [day - 60, day] : [2 * day - 60, 2 * day];
				expect([key, ttl >= low && ttl <= high]).toEqual([key, true]);
			}
			expect(ttls['day:2026-03-10']).toBeDefined();
		} finally {
			redis.disconnect();
		}
	});

	it('starts a new count at UTC midnight', async () => {
		const { apiKey } = await hub.createTenant();
		clock.set('2026-03-10T23:59:59.000Z');
		for (let index = 0; index < 10; index += 1) await consume(apiKey.key, freshMessage());
		expect((await consume(apiKey.key, freshMessage())).body).toMatchObject({
			allowed: false,
			resetAt: '2026-03-11T00:00:00.000Z',
		});

		clock.set('2026-03-11T00:00:00.000Z');
		const nextDay = await consume(apiKey.key, freshMessage());
		expect(nextDay.body).toMatchObject({ allowed: true, used: 1, remaining: 9, resetAt: '2026-03-12T00:00:00.000Z' });
	});

	it('reports when the previous message of the same conversation was allowed', async () => {
		const { apiKey } = await hub.createTenant();
		const conversationId = `conv-${randomUUID()}`;
		const first = await consume(apiKey.key, { messageId: `mid.${randomUUID()}`, conversationId });
		clock.advance(90_000);
		const second = await consume(apiKey.key, { messageId: `mid.${randomUUID()}`, conversationId });
		const otherConversation = await consume(apiKey.key, freshMessage());

		expect(first.body.previousAllowedAt).toBeNull();
		expect(second.body.previousAllowedAt).toBe('2026-03-10T15:00:00.000Z');
		expect(otherConversation.body.previousAllowedAt).toBeNull();
	});

	it('gives exactly one of two simultaneous messages of a conversation a previousAllowedAt', async () => {
		const { apiKey } = await hub.createTenant();
		const conversationId = `conv-${randomUUID()}`;
		const answers = await Promise.all(
			[1, 2].map(() => consume(apiKey.key, { messageId: `mid.${randomUUID()}`, conversationId })),
		);
		expect(answers.filter((answer) => answer.body.previousAllowedAt === null)).toHaveLength(1);
	});

	it('keeps tenants apart', async () => {
		const [first, second] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		for (let index = 0; index < 10; index += 1) await consume(first.apiKey.key, freshMessage());
		expect((await consume(first.apiKey.key, freshMessage())).body.allowed).toBe(false);
		expect((await consume(second.apiKey.key, freshMessage())).body).toMatchObject({ allowed: true, used: 1 });
	});

	describe('with the platform key', () => {
		it('consumes for the named account', async () => {
			const { account } = await hub.createTenant({ plan: 'premium' });
			const response = await consume(hub.platformKey, { ...freshMessage(), accountId: account.id });
			expect(response.status).toBe(200);
			expect(response.body).toMatchObject({ allowed: true, limit: 100, plan: 'premium' });
		});

		it('requires accountId (422) and rejects an unknown one (404)', async () => {
			const missing = await consume(hub.platformKey, freshMessage());
			expect(missing.status).toBe(422);
			expect(missing.body.error.code).toBe('validation_failed');

			const unknown = await consume(hub.platformKey, { ...freshMessage(), accountId: randomUUID() });
			expect(unknown.status).toBe(404);
			expect(unknown.body.error.code).toBe('account_not_found');
		});
	});

	it('ignores a body accountId sent with an account key', async () => {
		const [caller, other] = await Promise.all([hub.createTenant(), hub.createTenant({ plan: 'ultra' })]);
		const response = await consume(caller.apiKey.key, { ...freshMessage(), accountId: other.account.id });
		expect(response.body).toMatchObject({ plan: 'freemium', limit: 10 });
	});

	it('is one route: a key is required, its requests are timed under its pattern, other methods are not routed', async () => {
		const { apiKey } = await hub.createTenant();
		expect((await hub.request('/api/quotas/consume', { body: freshMessage() })).status).toBe(401);
		expect((await consume(apiKey.key, freshMessage())).status).toBe(200);
		const get = await hub.request('/api/quotas/consume', { key: apiKey.key });
		expect(get.status).toBe(404);
		expect(get.body.error.code).toBe('not_found');

		// The quota benchmark and dashboards read the consume's latency under this exact label.
		const metrics = await hub.request('/metrics');
		expect(metrics.body).toMatch(
			/http_request_duration_seconds_count\{method="POST",route="\/api\/quotas\/consume",status_code="200"\} [1-9]\d*/,
		);
	});

	it('rejects a body without messageId or conversationId', async () => {
		const { apiKey } = await hub.createTenant();
		const response = await consume(apiKey.key, { messageId: '' });
		expect(response.status).toBe(422);
		expect(response.body.error.details.map((issue: { path: string }) => issue.path)).toEqual(
			expect.arrayContaining(['body.messageId', 'body.conversationId']),
		);
	});
});

/**
 * Deployments that share one Redis keep their quotas apart by REDIS_NAMESPACE, and replicas of one deployment share
 * them. All hubs here use one database, so one account exists in each: only the namespace decides what they share.
 */
describe('POST /api/quotas/consume on a Redis shared by several deployments', () => {
	let database: TestDatabase;
	let replicas: TestHub[];
	let otherDeployment: TestHub;

	beforeAll(async () => {
		database = await createTestDatabase();
		const namespace = `skybot-test-${randomBytes(6).toString('hex')}`;
		replicas = await Promise.all(
			[1, 2].map(() => startTestHub({ database, clock: clock.now, loginThrottlePrefix: namespace })),
		);
		otherDeployment = await startTestHub({ database, clock: clock.now });
	});
	afterAll(async () => {
		for (const running of [...(replicas ?? []), otherDeployment]) await running?.close();
		await database?.drop();
	});

	it('shares counters and stored answers between replicas, and keeps them apart from another deployment', async () => {
		const [first, second] = replicas as [TestHub, TestHub];
		expect(first.redisNamespace).toBe(second.redisNamespace);
		expect(otherDeployment.redisNamespace).not.toBe(first.redisNamespace);
		const { apiKey } = await first.createTenant({ plan: 'freemium' });
		const repeated = freshMessage();
		expect((await consumeOn(first, apiKey.key, repeated)).body).toMatchObject({ used: 1, duplicate: false });
		expect((await consumeOn(second, apiKey.key, repeated)).body).toMatchObject({ used: 1, duplicate: true });
		for (let index = 1; index < 10; index += 1) {
			await consumeOn(index % 2 === 0 ? first : second, apiKey.key, freshMessage());
		}
		for (const replica of replicas) {
			expect((await consumeOn(replica, apiKey.key, freshMessage())).body).toMatchObject({ allowed: false, used: 10 });
		}

		// The other deployment has counted nothing of that, not even the message the replicas had seen.
		expect((await consumeOn(otherDeployment, apiKey.key, repeated)).body).toMatchObject({
			allowed: true,
			used: 1,
			duplicate: false,
		});
		const usage = async (target: TestHub) => (await target.request('/api/billing/usage', { key: apiKey.key })).body;
		expect(await usage(second)).toMatchObject({ used: 10, remaining: 0 });
		expect(await usage(otherDeployment)).toMatchObject({ used: 1, remaining: 9 });
	});

	it('writes no quota key outside the namespace of the deployment that consumed', async () => {
		const [first] = replicas as [TestHub];
		const { apiKey, account } = await first.createTenant();
		const message = freshMessage();
		for (const target of [first, otherDeployment]) {
			await consumeOn(target, apiKey.key, message);
			await consumeOn(target, apiKey.key, { ...freshMessage(), conversationId: message.conversationId });
		}
		const redis = new Redis(TEST_REDIS_URL);
		try {
			// Every key that names the account, wherever it was written: the account id is a fresh UUID.
			const keys: string[] = [];
			for await (const batch of redis.scanStream({ match: `*${account.id}*`, count: 1000 })) keys.push(...(batch as string[]));
			const under = (target: TestHub) => keys.filter((key) => key.startsWith(`${target.redisNamespace}:quota:`));
			// Per deployment: the day counter, the conversation and two stored answers; nothing anywhere else.
			expect(under(first)).toHaveLength(4);
			expect(under(otherDeployment)).toHaveLength(4);
			expect(keys).toHaveLength(8);
		} finally {
			redis.disconnect();
		}
	});
});
