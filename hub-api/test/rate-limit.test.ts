import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createTestDatabase, startTestHub, type TestDatabase, type TestHub, type TestResponse } from './support';

/** A TCP port nothing listens on: a Redis that is down. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

const expectRateLimitHeaders = (response: TestResponse, limit: number) => {
	expect(response.headers.get('ratelimit-policy')).toBe(`${limit};w=60`);
	expect(response.headers.get('ratelimit')).toMatch(new RegExp(`^limit=${limit}, remaining=\\d+, reset=\\d+$`));
	expect(response.headers.get('x-ratelimit-limit')).toBe(String(limit));
	expect(Number(response.headers.get('x-ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
	expect(Number(response.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
};

describe('per user / API key limit, shared by every replica', () => {
	let database: TestDatabase;
	let replicas: TestHub[];

	beforeAll(async () => {
		database = await createTestDatabase();
		// Two hub processes of one deployment: same database, same Redis, same namespace.
		const namespace = `skybot-test-rl-${randomBytes(6).toString('hex')}`;
		replicas = await Promise.all([1, 2].map(() => startTestHub({ database, loginThrottlePrefix: namespace })));
	});
	afterAll(async () => {
		for (const replica of replicas ?? []) await replica.close();
		await database?.drop();
	});

	it('lets exactly 100 of 200 parallel requests over two hubs through, and every 429 carries Retry-After', async () => {
		const { apiKey } = await replicas[0]!.createTenant();
		const responses = await Promise.all(
			Array.from({ length: 200 }, (_, index) => replicas[index % 2]!.request('/api/agents', { key: apiKey.key })),
		);
		const statuses: Record<number, number> = {};
		for (const { status } of responses) statuses[status] = (statuses[status] ?? 0) + 1;
		expect(statuses).toEqual({ 200: 100, 429: 100 });
		const passed = responses.filter((response) => response.status === 200);
		const limited = responses.filter((response) => response.status === 429);
		for (const response of limited) {
			expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
			expect(response.body.error.code).toBe('rate_limited');
			expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
		}
		expectRateLimitHeaders(passed[0]!, 100);
		expect(passed.map((response) => Number(response.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b)).toEqual(
			Array.from({ length: 100 }, (_, index) => index),
		);
	});

	it('gives every key and every person a budget of their own', async () => {
		const [first, second] = await Promise.all([replicas[0]!.createTenant(), replicas[1]!.createTenant()]);
		await Promise.all(Array.from({ length: 100 }, () => replicas[0]!.request('/api/agents', { key: first.apiKey.key })));
		expect((await replicas[1]!.request('/api/agents', { key: first.apiKey.key })).status).toBe(429);
		const other = await replicas[1]!.request('/api/agents', { key: second.apiKey.key });
		expect(other.status).toBe(200);
		expect(other.headers.get('x-ratelimit-remaining')).toBe('99');

		const person = await replicas[0]!.registerUser();
		const asPerson = await replicas[1]!.request('/api/billing/usage', { token: person.accessToken });
		expect(asPerson.status).toBe(200);
		expect(asPerson.headers.get('x-ratelimit-remaining')).toBe('99');
	});

	it('counts a request once, whichever of the routers mounted on its path answers it', async () => {
		const { apiKey, agent } = await replicas[0]!.createTenant();
		const list = await replicas[0]!.request('/api/agents', { key: apiKey.key });
		// /api/agents/:id/stats is answered by the analytics router, mounted on /agents after the agents router.
		const stats = await replicas[0]!.request(`/api/agents/${agent.id}/stats`, { key: apiKey.key });
		expect([list.status, stats.status]).toEqual([200, 200]);
		expect(list.headers.get('x-ratelimit-remaining')).toBe('99');
		expect(stats.headers.get('x-ratelimit-remaining')).toBe('98');
	});

	it('does not limit platform keys (the operator’s pipeline, bounded per tenant by plan quotas)', async () => {
		const responses = await Promise.all(
			Array.from({ length: 150 }, (_, index) => replicas[index % 2]!.request('/api/routing/instagram/none', {
				key: replicas[0]!.platformKey,
			})),
		);
		expect(responses.every((response) => response.status === 404)).toBe(true);
		expect(responses[0]!.headers.get('ratelimit')).toBeNull();
	});
});

describe('stricter per-IP limit on /api/auth/*', () => {
	let hub: TestHub;
	beforeAll(async () => {
		hub = await startTestHub({ rateLimits: { authPerMinute: 5 } });
	});
	afterAll(() => hub?.close());

	it('refuses the sixth attempt in a minute with 429 and Retry-After', async () => {
		const attempts = [];
		for (let index = 0; index < 6; index += 1) {
			attempts.push(
				// A different e-mail each time, so the login throttle (per e-mail and IP) is not what answers.
				await hub.request('/api/auth/login', {
					body: { email: `nobody-${index}@example.test`, password: 'wrong password' },
				}),
			);
		}
		expect(attempts.slice(0, 5).map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
		expectRateLimitHeaders(attempts[0]!, 5);
		expect(attempts[5]!.status).toBe(429);
		expect(Number(attempts[5]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
	});
});

describe('with Redis down', () => {
	let hub: TestHub;
	beforeAll(async () => {
		hub = await startTestHub({ redisUrl: `redis://127.0.0.1:${await closedPort()}` });
	});
	afterAll(() => hub?.close());

	it('fails open for authenticated routes: the request is served, without rate-limit headers', async () => {
		const { apiKey } = await hub.createTenant();
		const response = await hub.request('/api/agents', { key: apiKey.key });
		expect(response.status).toBe(200);
		expect(response.headers.get('ratelimit')).toBeNull();
	});

	it('fails closed for /api/auth/*: 503 instead of unlimited password guessing', async () => {
		const response = await hub.request('/api/auth/login', {
			body: { email: 'nobody@example.test', password: 'wrong password' },
		});
		expect(response.status).toBe(503);
		expect(response.body.error.code).toBe('rate_limiter_unavailable');
		expect(response.headers.get('retry-after')).toBe('5');
	});
});
