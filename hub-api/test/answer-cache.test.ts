/**
 * The AI answer cache on real Redis: the key (pure), reads and writes with their TTL, entries it cannot read, Redis
 * down (a miss, never an error).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { createRedis } from '../src/db/redis';
import {
	ANSWER_TEXT_MAX,
	AnswerCache,
	type AnswerKeyInput,
	type CachedAnswer,
	normaliseMessage,
} from '../src/modules/ai-limits/answer-cache';
import { capturingLogger, closedPort, TEST_REDIS_URL } from './support';

const { logger, lines } = capturingLogger('warn');
const warnings = () => lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 40);

const base: AnswerKeyInput = {
	agentId: '6f1d2c9e-2b1a-4c3d-9e8f-7a6b5c4d3e2f',
	agentVersion: 3,
	text: 'Hello there',
	context: [
		{ role: 'user', content: 'Vous êtes ouverts ?' },
		{ role: 'assistant', content: 'Oui, 9 h–18 h.' },
	],
	model: 'gpt-4o-mini',
	instructions: 'You are the assistant of Boulangerie Léa.',
};

const answer = (overrides: Partial<CachedAnswer> = {}): CachedAnswer => ({
	text: 'Bonjour ! Nous sommes ouverts de 9 h à 18 h.',
	model: 'gpt-4o-mini',
	promptTokens: 120,
	completionTokens: 30,
	costUsd: 0.000036,
	storedAt: '2026-03-10T09:00:00.000Z',
	...overrides,
});

describe('AnswerCache.keyOf', () => {
	const cache = new AnswerCache(new Redis(TEST_REDIS_URL, { lazyConnect: true }), 'unused', logger);
	const key = (overrides: Partial<AnswerKeyInput> = {}) => cache.keyOf({ ...base, ...overrides });

	it('is a sha256 in hex, the same for the same input every time', () => {
		expect(key()).toMatch(/^[0-9a-f]{64}$/);
		expect(key()).toBe(key());
		expect(cache.keyOf({ ...base, context: base.context.map((message) => ({ ...message })) })).toBe(key());
	});

	it('gives one key to messages that differ only in case, whitespace and Unicode compatibility forms', () => {
		const variants = ['Hello  there', 'hello there', '  HELLO\tthere\n', 'Hello\u00a0there', 'Ｈｅｌｌｏ there'];
		expect(new Set(variants.map((text) => key({ text })))).toEqual(new Set([key({ text: 'hello there' })]));
		expect(normaliseMessage('  Ｈｅｌｌｏ\u00a0\u00a0 THERE\n')).toBe('hello there');
		// The context is compared the same way.
		expect(key({ context: [{ role: 'user', content: 'VOUS   êtes ouverts ?' }, base.context[1]!] })).toBe(key());
	});

	it('keeps accents: "ou" and "où" are different questions', () => {
		expect(key({ text: 'Livraison ou retrait ?' })).not.toBe(key({ text: 'Livraison où retrait ?' }));
	});

	it.each<[string, Partial<AnswerKeyInput>]>([
		['another agent version', { agentVersion: 4 }],
		['an agent without a version', { agentVersion: null }],
		['another agent', { agentId: randomUUID() }],
		['another model', { model: 'gpt-4.1' }],
		['other instructions', { instructions: 'You are the assistant of Garage Martin.' }],
		['no instructions', { instructions: undefined }],
		['another message', { text: 'Hello there!' }],
		['no context', { context: [] }],
		['a context message more', { context: [...base.context, { role: 'user', content: 'Merci' }] }],
		['another role in the context', { context: [{ ...base.context[0]!, role: 'assistant' }, base.context[1]!] }],
		['the same turns in another order', { context: [base.context[1]!, base.context[0]!] }],
		// A message boundary moved: the canonical form is an array of messages, not a concatenation.
		[
			'a boundary between messages moved',
			{
				context: [
					{ role: 'user', content: 'Vous êtes ouverts ? Oui,' },
					{ role: 'assistant', content: '9 h–18 h.' },
				],
			},
		],
	])('gives %s another key', (_case, overrides) => {
		expect(key(overrides)).not.toBe(key());
	});
});

describe('AnswerCache.get / put', () => {
	let redis: Redis;
	let cache: AnswerCache;
	const namespace = `skybot-test-${randomBytes(6).toString('hex')}`;
	const accountId = randomUUID();
	const redisKey = (key: string, account = accountId) => `${namespace}:ai:answers:{${account}}:${key}`;
	const freshKey = () => randomBytes(32).toString('hex');

	beforeAll(() => {
		redis = new Redis(TEST_REDIS_URL);
		cache = new AnswerCache(redis, namespace, logger);
	});
	afterAll(async () => {
		const keys = await redis.keys(`${namespace}:*`);
		if (keys.length > 0) await redis.del(...keys);
		redis.disconnect();
	});
	beforeEach(() => {
		lines.length = 0;
	});

	it('stores an answer under the account and key, for the TTL given, and reads it back', async () => {
		const key = freshKey();
		expect(await cache.get(accountId, key)).toBeNull();
		await cache.put(accountId, key, answer(), 3600);

		expect(await cache.get(accountId, key)).toEqual(answer());
		const ttl = await redis.ttl(redisKey(key));
		expect(ttl).toBeGreaterThan(3590);
		expect(ttl).toBeLessThanOrEqual(3600);
		// Another account asking with the same key finds nothing.
		expect(await cache.get(randomUUID(), key)).toBeNull();
		expect(warnings()).toEqual([]);
	});

	it('forgets the answer when the TTL ends', async () => {
		const key = freshKey();
		await cache.put(accountId, key, answer(), 1);
		expect(await cache.get(accountId, key)).not.toBeNull();
		await new Promise((resolve) => setTimeout(resolve, 1_200));
		expect(await cache.get(accountId, key)).toBeNull();
	});

	it('keeps the first answer stored under a key: a later put changes neither it nor its TTL', async () => {
		const key = freshKey();
		await cache.put(accountId, key, answer(), 3600);
		await redis.expire(redisKey(key), 1000);
		await cache.put(accountId, key, answer({ text: 'Another answer', costUsd: 0.5 }), 3600);

		expect(await cache.get(accountId, key)).toEqual(answer());
		expect(await redis.ttl(redisKey(key))).toBeLessThanOrEqual(1000);
	});

	it('stores nothing with a TTL of 0 (the cache is off)', async () => {
		const key = freshKey();
		await cache.put(accountId, key, answer(), 0);
		expect(await redis.exists(redisKey(key))).toBe(0);
	});

	it.each<[string, CachedAnswer]>([
		['an answer longer than the cap', answer({ text: 'a'.repeat(ANSWER_TEXT_MAX + 1) })],
		['an empty answer', answer({ text: '' })],
		['negative tokens', answer({ promptTokens: -1 })],
		['a cost that is not a number', answer({ costUsd: Number.NaN })],
	])('stores nothing for %s, with a warning', async (_case, bad) => {
		const key = freshKey();
		await cache.put(accountId, key, bad, 3600);
		expect(await redis.exists(redisKey(key))).toBe(0);
		expect(warnings().map((entry) => entry.msg)).toEqual([expect.stringMatching(/not a cacheable answer/)]);
	});

	it('takes an answer of exactly the cap', async () => {
		const key = freshKey();
		await cache.put(accountId, key, answer({ text: 'é'.repeat(ANSWER_TEXT_MAX) }), 60);
		expect((await cache.get(accountId, key))?.text).toHaveLength(ANSWER_TEXT_MAX);
	});

	it('refuses a key keyOf cannot have made (a miss, nothing stored), so no stray text reaches a Redis key', async () => {
		await cache.put(accountId, 'abc:*', answer(), 60);
		expect(await cache.get(accountId, 'abc:*')).toBeNull();
		expect(await redis.keys(`${namespace}:ai:answers:{${accountId}}:abc*`)).toEqual([]);
		expect(warnings()).toHaveLength(2);
	});

	it.each<[string, string]>([
		['not JSON', '{"text": "Bonjour'],
		['JSON of another shape', JSON.stringify({ reply: 'Bonjour' })],
		['a field of the wrong type', JSON.stringify({ ...answer(), promptTokens: '120' })],
		['an answer over the cap', JSON.stringify(answer({ text: 'a'.repeat(ANSWER_TEXT_MAX + 1) }))],
		['far too large to be an entry', 'x'.repeat(200_000)],
		['JSON null', 'null'],
	])('treats an entry that is %s as a miss, logs a warning and removes it so an answer can take its place', async (_case, stored) => {
		const key = freshKey();
		await redis.set(redisKey(key), stored, 'EX', 60);

		await expect(cache.get(accountId, key)).resolves.toBeNull();
		expect(warnings()).toEqual([expect.objectContaining({ msg: expect.stringMatching(/malformed entry/), accountId, key })]);
		expect(await redis.exists(redisKey(key))).toBe(0);
		await cache.put(accountId, key, answer(), 60);
		expect(await cache.get(accountId, key)).toEqual(answer());
	});

	describe('with Redis down', () => {
		it.each([
			['the hub’s own client (bounded retries, 2 s command timeout)', (url: string) => createRedis(url, logger)],
			// ioredis's defaults: 20 retries per command, no command timeout; the cache's own bound still holds.
			['a client with ioredis’s defaults', (url: string) => new Redis(url).on('error', () => {})],
		])('answers a miss and stores nothing, quickly and without throwing, through %s', async (_case, connect) => {
			const down = connect(`redis://127.0.0.1:${await closedPort()}`);
			const cacheDown = new AnswerCache(down, namespace, logger);
			try {
				const started = Date.now();
				await expect(cacheDown.get(accountId, freshKey())).resolves.toBeNull();
				await expect(cacheDown.put(accountId, freshKey(), answer(), 60)).resolves.toBeUndefined();
				// Two bounded waits of 500 ms at most, whatever the client would do on its own.
				expect(Date.now() - started).toBeLessThan(1_500);
				const messages = warnings().map((entry) => entry.msg);
				expect(messages).toEqual(
					expect.arrayContaining([
						'answer cache unavailable; answering without it',
						'answer cache unavailable; answer not stored',
					]),
				);
			} finally {
				down.disconnect();
			}
		});
	});
});
