import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, startTestHub, type TestDatabase, type TestHub } from './support';

/** A port that nothing listens on: bind to an ephemeral port, then release it. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

let database: TestDatabase;
let healthyHub: TestHub;
let hubWithoutRedis: TestHub;

beforeAll(async () => {
	database = await createTestDatabase();
	healthyHub = await startTestHub({ database });
	hubWithoutRedis = await startTestHub({ database, redisUrl: `redis://127.0.0.1:${await closedPort()}` });
});
afterAll(async () => {
	await hubWithoutRedis?.close();
	await healthyHub?.close();
	await database?.drop();
});

describe('GET /api/ready', () => {
	it('is ready when PostgreSQL and Redis answer', async () => {
		const response = await healthyHub.request('/api/ready');
		expect(response.status).toBe(200);
		expect(response.body).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
	});

	it('answers 503 naming Redis when Redis is unreachable', async () => {
		const response = await hubWithoutRedis.request('/api/ready');
		expect(response.status).toBe(503);
		expect(response.body).toEqual({ status: 'not_ready', checks: { postgres: 'ok', redis: 'down' } });
	});
});

describe('a hub whose Redis is unreachable', () => {
	it('answers quota consumes with 503 quota_store_unavailable and keeps serving', async () => {
		const { apiKey } = await hubWithoutRedis.createTenant();
		const consume = await hubWithoutRedis.request('/api/quotas/consume', {
			key: apiKey.key,
			body: { messageId: randomUUID(), conversationId: randomUUID() },
		});
		expect(consume.status).toBe(503);
		expect(consume.body.error.code).toBe('quota_store_unavailable');

		expect((await hubWithoutRedis.request('/api/health')).status).toBe(200);
		expect((await hubWithoutRedis.request('/api/auth/me', { key: apiKey.key })).status).toBe(200);
	});
});
