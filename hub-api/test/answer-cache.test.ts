/**
 * The AI answer cache on real Redis and PostgreSQL: the key (pure), reads and writes with their TTL, entries it cannot
 * read, Redis down (a miss, never an error), and the outcome record filling it (a miss) and counting its hits as cost
 * saved in analytics.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { RecordOutcomeRequest } from '../../contracts/hub-api';
import { createRedis } from '../src/db/redis';
import {
	ANSWER_TEXT_MAX,
	AnswerCache,
	type AnswerKeyInput,
	type CachedAnswer,
	normaliseMessage,
} from '../src/modules/ai-limits/answer-cache';
import { signatureHeader } from '../src/modules/executions/signature';
import { capturingLogger, closedPort, startTestHub, TEST_REDIS_URL, TEST_WEBHOOK_SECRET, type TestHub } from './support';
import { expectDocumented } from './support/documented';

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

describe('outcome records and the answer cache', () => {
	let hub: TestHub;
	let redis: Redis;
	let cache: AnswerCache;
	type Tenant = Awaited<ReturnType<TestHub['createTenant']>>;

	beforeAll(async () => {
		hub = await startTestHub();
		redis = new Redis(TEST_REDIS_URL);
		cache = new AnswerCache(redis, hub.redisNamespace, logger);
	});
	afterAll(async () => {
		redis?.disconnect();
		await hub?.close();
	});

	const PATH = '/api/webhooks/n8n/outcome';
	function send(on: TestHub, body: unknown) {
		const rawBody = JSON.stringify(body);
		const header = signatureHeader(TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000), rawBody);
		return on.request(PATH, { method: 'POST', rawBody, headers: { 'x-skybot-signature': header } });
	}

	const keyFor = (tenant: Tenant, text = `Quel est le prix ? ${randomUUID()}`) =>
		cache.keyOf({ agentId: tenant.agent.id, agentVersion: 1, text, context: [], model: 'gpt-4o-mini' });

	type Reply = NonNullable<RecordOutcomeRequest['reply']>;
	function outcome(tenant: Tenant, reply: Partial<Reply>, overrides: Partial<RecordOutcomeRequest> = {}) {
		return {
			accountId: tenant.account.id,
			agentId: tenant.agent.id,
			executionId: `${Math.floor(Math.random() * 1e9)}`,
			workflowId: 'wf-pipeline',
			// Inside today's UTC day, so the 7d and 4w analytics windows take it.
			startedAt: new Date(Date.now() - 2_000).toISOString(),
			latencyMs: 1500,
			status: 'replied',
			message: {
				provider: 'instagram',
				kind: 'dm',
				messageId: `mid.${randomUUID()}`,
				accountExternalId: '17841400000000001',
				conversationId: `instagram:1784:${randomUUID()}`,
				contact: { externalId: 'igsid-42', name: 'Lea' },
				text: 'Quel est le prix ?',
				timestamp: new Date(Date.now() - 2_500).toISOString(),
			},
			reply: {
				text: 'Le menu est à 12 €.',
				model: 'gpt-4o-mini',
				promptTokens: 120,
				completionTokens: 30,
				costUsd: 0.000036,
				externalId: 'm_reply-1',
				...reply,
			},
			...overrides,
		} satisfies RecordOutcomeRequest;
	}

	const rows = (table: 'interactions' | 'executions', accountId: string) =>
		hub.dataSource.query(`SELECT * FROM ${table} WHERE account_id = $1 ORDER BY created_at`, [accountId]) as Promise<
			Record<string, unknown>[]
		>;

	it('stores the answer of a replied miss under its key (after the commit), and a repeat changes nothing', async () => {
		const tenant = await hub.createTenant();
		const key = keyFor(tenant);
		const miss = outcome(tenant, { cache: { key, hit: false } });

		const first = await send(hub, miss);
		expect(first.status).toBe(201);
		expectDocumented(first, 'post', PATH);
		const stored = await cache.get(tenant.account.id, key);
		expect(stored).toEqual({
			text: 'Le menu est à 12 €.',
			model: 'gpt-4o-mini',
			promptTokens: 120,
			completionTokens: 30,
			costUsd: 0.000036,
			storedAt: expect.any(String),
		});
		const redisKey = `${hub.redisNamespace}:ai:answers:{${tenant.account.id}}:${key}`;
		expect(await redis.ttl(redisKey)).toBeGreaterThan(86_390);
		await redis.expire(redisKey, 500);

		const repeat = await send(hub, miss);
		expect([repeat.status, repeat.body.duplicate]).toEqual([200, true]);
		// Another message answered differently for the same key (a concurrent miss) does not replace it either.
		expect((await send(hub, outcome(tenant, { text: 'Autre réponse', cache: { key, hit: false } }))).status).toBe(201);
		expect(await cache.get(tenant.account.id, key)).toEqual(stored);
		expect(await redis.ttl(redisKey)).toBeLessThanOrEqual(500);
		expect(await redis.keys(`${hub.redisNamespace}:ai:answers:{${tenant.account.id}}:*`)).toEqual([redisKey]);

		// A miss is no hit: stored as any reply, with its model call's cost.
		const [interaction] = await rows('interactions', tenant.account.id);
		expect(interaction).toMatchObject({ cache_hit: false, cost_saved_usd: null, cost_usd: '0.000036' });
		const [execution] = await rows('executions', tenant.account.id);
		expect(execution).toMatchObject({ cache_hit: false, cost_saved_usd: '0.000000', cost_usd: '0.000036' });
	});

	it.each<[string, Partial<RecordOutcomeRequest>, Partial<Reply>]>([
		['a failed send', { status: 'failed', reason: 'send_failed', error: { message: 'Graph 500' } }, {}],
		['a reply without its model', {}, { model: undefined }],
	])('caches nothing for %s', async (_case, overrides, reply) => {
		const tenant = await hub.createTenant();
		const key = keyFor(tenant);
		expect((await send(hub, outcome(tenant, { ...reply, cache: { key, hit: false } }, overrides))).status).toBe(201);
		expect(await cache.get(tenant.account.id, key)).toBeNull();
	});

	it('records a hit as no model call, with the cached answer’s cost as cost saved, and analytics sums it', async () => {
		const tenant = await hub.createTenant();
		const key = keyFor(tenant);
		// The first contact's message missed and paid for the model; two later ones were answered from the cache.
		expect((await send(hub, outcome(tenant, { cache: { key, hit: false } }))).status).toBe(201);
		const hit = () =>
			outcome(tenant, { promptTokens: 0, completionTokens: 0, costUsd: 0, cache: { key, hit: true, costSavedUsd: 0.000036 } });
		// Tokens and cost given as 0, or left out.
		const bare = { ...hit(), reply: { text: 'Le menu est à 12 €.', cache: { key, hit: true, costSavedUsd: 0.000036 } } };
		const hits = [await send(hub, hit()), await send(hub, bare)];
		for (const response of hits) {
			expect(response.status).toBe(201);
			expectDocumented(response, 'post', PATH);
		}

		const interactions = await rows('interactions', tenant.account.id);
		expect(interactions.map((row) => [row.cache_hit, row.cost_saved_usd])).toEqual([
			[false, null],
			[true, '0.000036'],
			[true, '0.000036'],
		]);
		const executions = await rows('executions', tenant.account.id);
		expect(executions.map((row) => [row.cache_hit, row.cost_usd, row.cost_saved_usd, row.prompt_tokens])).toEqual([
			[false, '0.000036', '0.000000', 120],
			[true, '0.000000', '0.000036', 0],
			[true, '0.000000', '0.000036', 0],
		]);

		const costs = await hub.request('/api/analytics/costs?period=7d', { key: tenant.apiKey.key });
		expectDocumented(costs, 'get', '/api/analytics/costs');
		expect(costs.body.total).toEqual({
			executions: 3,
			promptTokens: 120,
			completionTokens: 30,
			totalTokens: 150,
			costUsd: 0.000036,
			cacheHits: 2,
			costSavedUsd: 0.000072,
		});
		const stats = await hub.request(`/api/agents/${tenant.agent.id}/stats?period=7d`, { key: tenant.apiKey.key });
		expect(stats.body.stats).toMatchObject({ totalExecutions: 3, costUsd: 0.000036, cacheHits: 2, costSavedUsd: 0.000072 });

	});

	it('counts a repeated hit once', async () => {
		const tenant = await hub.createTenant();
		const cache = { key: keyFor(tenant), hit: true, costSavedUsd: 0.002 } as const;
		const body = outcome(tenant, { promptTokens: 0, completionTokens: 0, costUsd: 0, cache });
		const responses = [await send(hub, body), await send(hub, body)];
		expect(responses.map((response) => response.status)).toEqual([201, 200]);
		const costs = await hub.request('/api/analytics/costs?period=7d', { key: tenant.apiKey.key });
		expect(costs.body.total).toMatchObject({ executions: 1, cacheHits: 1, costSavedUsd: 0.002, costUsd: 0 });
	});

	it('refuses (422, every problem named, nothing stored) a hit that spent tokens, one without its saving, a bad key', async () => {
		const tenant = await hub.createTenant();
		const key = keyFor(tenant);
		const spent = await send(hub, outcome(tenant, { costUsd: 0.01, promptTokens: 5, cache: { key, hit: true, costSavedUsd: 0.01 } }));
		expect(spent.status).toBe(422);
		expectDocumented(spent, 'post', PATH);
		const fields = (response: typeof spent) => response.body.error.details.map((issue: { path: string }) => issue.path).sort();
		expect(fields(spent)).toEqual(['body.reply.completionTokens', 'body.reply.costUsd', 'body.reply.promptTokens']);

		const unsaved = await send(hub, outcome(tenant, { costUsd: 0, cache: { key, hit: true } as never }));
		expect([unsaved.status, fields(unsaved)]).toEqual([422, ['body.reply.cache.costSavedUsd']]);

		const badKey = await send(hub, {
			...outcome(tenant, { cache: { key: 'price?', hit: false } }),
			latencyMs: -1,
		});
		expect([badKey.status, fields(badKey)]).toEqual([422, ['body.latencyMs', 'body.reply.cache.key']]);
		expect(await rows('interactions', tenant.account.id)).toEqual([]);
	});

	it('stores nothing in the cache when AI_ANSWER_CACHE_TTL is 0 (the cache is off)', async () => {
		const off = await startTestHub({ answerCache: { ttlSeconds: 0 } });
		try {
			const tenant = await off.createTenant();
			const key = keyFor(tenant);
			expect((await send(off, outcome(tenant, { cache: { key, hit: false } }))).status).toBe(201);
			expect(await new AnswerCache(redis, off.redisNamespace, logger).get(tenant.account.id, key)).toBeNull();
			expect(await redis.keys(`${off.redisNamespace}:ai:answers:*`)).toEqual([]);
		} finally {
			await off.close();
		}
	});
});
