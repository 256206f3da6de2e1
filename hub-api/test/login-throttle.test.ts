import { randomBytes } from 'node:crypto';
import { LOGIN_LIMITS } from '../src/modules/auth/login-throttle';
import { createTestDatabase, startTestHub, type TestDatabase, type TestHub } from './support';

/**
 * Two independent hub instances (own HTTP server, PostgreSQL pool and Redis connection) on one database and one
 * login-throttle prefix, as two replicas of a deployment: the counters live only in Redis, so they add up across both.
 */
let database: TestDatabase;
let replicas: [TestHub, TestHub];

beforeAll(async () => {
	database = await createTestDatabase();
	const loginThrottlePrefix = `skybot-test-${randomBytes(6).toString('hex')}`;
	replicas = await Promise.all([
		startTestHub({ database, loginThrottlePrefix }),
		startTestHub({ database, loginThrottlePrefix }),
	]);
});
afterAll(async () => {
	await Promise.all((replicas ?? []).map((hub) => hub.close()));
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

	it('counts failures across replicas sharing Redis', async () => {
		const [first, second] = replicas;
		const person = await first.registerUser();
		for (let attempt = 0; attempt < LOGIN_LIMITS.perEmailAndIp.points; attempt += 1) {
			const replica = attempt % 2 === 0 ? first : second;
			expect((await login(replica, person.email, 'wrong password')).status).toBe(401);
		}
		expect((await login(second, person.email, person.password)).status).toBe(429);
		expect((await login(first, person.email, person.password)).status).toBe(429);
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
