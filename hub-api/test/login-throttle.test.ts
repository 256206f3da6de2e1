import { randomBytes } from 'node:crypto';
import { LOGIN_LIMITS } from '../src/modules/auth/login-throttle';
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

/**
 * Two replicas of a deployment on one database and one REDIS_NAMESPACE: a hub in this process and a hub in a process
 * of its own (src/main.ts). The counters live only in Redis, so failures add up across both.
 */
let database: TestDatabase;
let inProcess: TestHub;
let otherProcess: HubProcess;
let replicas: [TestHub, TestHub];

beforeAll(async () => {
	database = await createTestDatabase();
	const namespace = `skybot-test-${randomBytes(6).toString('hex')}`;
	inProcess = await startTestHub({ database, loginThrottlePrefix: namespace });
	otherProcess = await startHubProcess({
		DATABASE_URL: database.url,
		REDIS_URL: TEST_REDIS_URL,
		REDIS_NAMESPACE: namespace,
		JWT_SECRET: TEST_JWT_SECRET,
		AUTH_RATE_LIMIT_PER_MINUTE: '10000',
	});
	// The second replica is driven through the same request helper, pointed at the other process.
	replicas = [
		inProcess,
		{ ...inProcess, url: otherProcess.url, request: (path, init = {}) => sendRequest(otherProcess.url, path, init) },
	];
	expect((await replicas[1].request('/api/ready')).status).toBe(200);
	// Starting a process that compiles the hub's sources takes a few seconds; nothing here asserts on time.
}, 120_000);
afterAll(async () => {
	await otherProcess?.stop();
	await inProcess?.close();
	await database?.drop();
});

const login = (hub: TestHub, email: string, password: string) =>
	hub.request('/api/auth/login', { body: { email, password } });

describe('login throttling', () => {
	it(`refuses the attempt after ${LOGIN_LIMITS.perEmailAndIp.points} failures with 429 and Retry-After, even with the right password`, async () => {
		const [hub] = replicas;
		const person = await hub.registerUser();
		for (let attempt = 0; attempt < LOGIN_LIMITS.perEmailAndIp.points; attempt += 1) {
			expect((await login(hub, person.email, 'wrong password')).status).toBe(401);
		}
		const blocked = await login(hub, person.email, person.password);
		expect(blocked.status).toBe(429);
		expect(blocked.body.error.code).toBe('too_many_login_attempts');
		const retryAfter = Number(blocked.headers.get('retry-after'));
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(LOGIN_LIMITS.perEmailAndIp.durationSeconds);
		expect(blocked.body.error.details).toEqual({ retryAfterSeconds: retryAfter });
	});

	it('counts failures across hub processes sharing Redis', async () => {
		const [first, second] = replicas;
		const person = await first.registerUser();
		for (let attempt = 0; attempt < LOGIN_LIMITS.perEmailAndIp.points; attempt += 1) {
			const replica = attempt % 2 === 0 ? first : second;
			expect((await login(replica, person.email, 'wrong password')).status).toBe(401);
		}
		expect((await login(second, person.email, person.password)).status).toBe(429);
		expect((await login(first, person.email, person.password)).status).toBe(429);
	});

	it('cannot be overrun by parallel guesses: only the allowed number is checked at all', async () => {
		const [hub] = replicas;
		const person = await hub.registerUser();
		const guesses = await Promise.all(
			Array.from({ length: 12 }, (_, index) => login(hub, person.email, `guess ${index}`)),
		);
		const statuses = guesses.map((response) => response.status).sort();
		expect(statuses).toEqual([
			...Array(LOGIN_LIMITS.perEmailAndIp.points).fill(401),
			...Array(12 - LOGIN_LIMITS.perEmailAndIp.points).fill(429),
		]);
	});

	it('forgets the failures of an e-mail once its owner logs in', async () => {
		const [hub] = replicas;
		const person = await hub.registerUser();
		const almost = LOGIN_LIMITS.perEmailAndIp.points - 1;
		for (let attempt = 0; attempt < almost; attempt += 1) await login(hub, person.email, 'typo');
		expect((await login(hub, person.email, person.password)).status).toBe(200);
		for (let attempt = 0; attempt < almost; attempt += 1) {
			expect((await login(hub, person.email, 'typo')).status).toBe(401);
		}
		expect((await login(hub, person.email, person.password)).status).toBe(200);
	});

	it('does not lock out other e-mails when one is blocked', async () => {
		const [hub] = replicas;
		const [target, bystander] = await Promise.all([hub.registerUser(), hub.registerUser()]);
		for (let attempt = 0; attempt < LOGIN_LIMITS.perEmailAndIp.points; attempt += 1) {
			await login(hub, target.email, 'guess');
		}
		expect((await login(hub, target.email, target.password)).status).toBe(429);
		expect((await login(hub, bystander.email, bystander.password)).status).toBe(200);
	});

	it(`blocks an IP after ${LOGIN_LIMITS.perIp.points} failures over many e-mails`, async () => {
		// Its own prefix, so the IP counter starts from zero whatever the other tests did.
		const hub = await startTestHub({ database });
		try {
			const person = await hub.registerUser();
			for (let attempt = 0; attempt < LOGIN_LIMITS.perIp.points; attempt += 1) {
				const response = await login(hub, `sprayed-${attempt}-${randomBytes(3).toString('hex')}@example.test`, 'guess');
				expect(response.status).toBe(401);
			}
			const blocked = await login(hub, person.email, person.password);
			expect(blocked.status).toBe(429);
			expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
		} finally {
			await hub.close();
		}
		// Fifty bcrypt comparisons take seconds; the test asserts counts, not time.
	}, 120_000);
});

describe('login without Redis', () => {
	it('answers 503 (retryable) instead of logging in unthrottled', async () => {
		const hub = await startTestHub({ database, redisUrl: 'redis://127.0.0.1:1' });
		try {
			const response = await hub.request('/api/auth/login', {
				body: { email: 'someone@example.test', password: 'whatever it is' },
			});
			expect(response.status).toBe(503);
			// The per-IP limit of /api/auth/* (http/rate-limit.ts) fails closed first, with its own code.
			expect(response.body.error.code).toMatch(/^(login_throttle|rate_limiter)_unavailable$/);
		} finally {
			await hub.close();
		}
	});
});
