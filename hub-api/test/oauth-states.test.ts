/**
 * OAuth `state` values (social-accounts/oauth-states.ts) on the real Redis: bound to the account, the person and the
 * provider, single use even under racing callbacks, 10 minutes on the hub's clock, and never stored under their own
 * text.
 */
import { createHash, randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { OAUTH_STATE_TTL_SECONDS, OAuthStates, pkcePair } from '../src/modules/social-accounts/oauth-states';
import { closedPort, deleteKeysMatching, TEST_REDIS_URL } from './support';

const namespace = `oauth-test-${randomBytes(4).toString('hex')}`;
let redis: Redis;
let now = new Date('2026-12-04T10:00:00Z');
let states: OAuthStates;
const binding = {
	provider: 'tiktok' as const,
	accountId: '6f1c4d1e-0a43-4c39-9f7e-3f1c2a9b8d01',
	userId: '0e7a6c55-2d5b-4a83-8b1f-5c0a9e4d3f22',
	codeVerifier: null,
};

beforeAll(() => {
	redis = new Redis(TEST_REDIS_URL);
	states = new OAuthStates(redis, namespace, () => now);
});
afterAll(async () => {
	await deleteKeysMatching(TEST_REDIS_URL, `${namespace}:*`);
	redis.disconnect();
});

describe('OAuth states', () => {
	it('gives the binding back once, with its expiry, and then never again', async () => {
		const { state, expiresAt } = await states.issue(binding);
		expect(state).toMatch(/^[\w-]{43}$/);
		expect(expiresAt.toISOString()).toBe('2026-12-04T10:10:00.000Z');
		expect(await states.consume(state)).toEqual({ ...binding, expiresAt: '2026-12-04T10:10:00.000Z' });
		expect(await states.consume(state)).toBeNull();
	});

	it('lets exactly one of several racing callbacks have the binding', async () => {
		const { state } = await states.issue(binding);
		const answers = await Promise.all(Array.from({ length: 8 }, () => states.consume(state)));
		expect(answers.filter((answer) => answer !== null)).toHaveLength(1);
	});

	it('refuses a state after 10 minutes on the hub clock, and Redis forgets it by then too', async () => {
		const { state } = await states.issue(binding);
		const key = `${namespace}:oauth-state:${createHash('sha256').update(state).digest('hex')}`;
		const ttl = await redis.ttl(key);
		expect(ttl).toBeGreaterThan(OAUTH_STATE_TTL_SECONDS - 5);
		expect(ttl).toBeLessThanOrEqual(OAUTH_STATE_TTL_SECONDS);
		now = new Date(now.getTime() + OAUTH_STATE_TTL_SECONDS * 1000);
		try {
			expect(await states.consume(state)).toBeNull();
			// Refused, and consumed: it cannot be replayed once the clock is (wrongly) set back either.
			expect(await redis.exists(key)).toBe(0);
		} finally {
			now = new Date('2026-12-04T10:00:00Z');
		}
	});

	it('refuses unknown, malformed and oversized states', async () => {
		expect(await states.consume(randomBytes(32).toString('base64url'))).toBeNull();
		for (const state of ['', 'short', 'x'.repeat(10_000), 'not base64url!'.padEnd(43, '!'), `${'a'.repeat(42)}*`]) {
			expect(await states.consume(state)).toBeNull();
		}
	});

	it('stores the state only as its SHA-256, so the keyspace never lists a usable state', async () => {
		const { state } = await states.issue({ ...binding, codeVerifier: 'verifier' });
		const keys = await redis.keys(`${namespace}:*`);
		expect(keys.some((key) => key.includes(state))).toBe(false);
		expect(keys).toContain(`${namespace}:oauth-state:${createHash('sha256').update(state).digest('hex')}`);
		await states.consume(state);
	});
});

describe('with Redis down', () => {
	it('answers 503 oauth_state_unavailable to issuing and to consuming, never a raw Redis error', async () => {
		const offline = new Redis(`redis://127.0.0.1:${await closedPort()}`, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
		offline.on('error', () => {});
		try {
			const down = new OAuthStates(offline, namespace, () => now);
			for (const attempt of [() => down.issue(binding), () => down.consume(randomBytes(32).toString('base64url'))]) {
				await expect(attempt()).rejects.toMatchObject({ status: 503, code: 'oauth_state_unavailable' });
			}
		} finally {
			offline.disconnect();
		}
	});
});

describe('PKCE', () => {
	it('pairs a 64-character verifier with its S256 challenge (RFC 7636)', () => {
		const { verifier, challenge } = pkcePair();
		expect(verifier).toMatch(/^[\w-]{64}$/);
		expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
		expect(pkcePair().verifier).not.toBe(verifier);
	});
});
