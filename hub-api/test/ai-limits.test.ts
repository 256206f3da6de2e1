/**
 * AI limits on real Redis and PostgreSQL: the per-account model-request budget shared by hub replicas (and so by every
 * n8n worker), and the conversation context trimmed to a token budget with the real tokenizer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { countTokens as cl100kTokens } from 'gpt-tokenizer/cjs/encoding/cl100k_base';
import { countTokens as o200kTokens } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import Redis from 'ioredis';
import { closedPort, createTestDatabase, logPipelineMessage, type PipelineMessage, startTestHub, TEST_REDIS_URL, type TestHub } from './support';
import { expectDocumented } from './support/documented';

const PLAIN = { disallowedSpecial: new Set<string>() };
/** One chat message as OpenAI counts it: content, role, 3 framing tokens. */
const messageTokens = (role: string, content: string, count = o200kTokens) => 3 + count(role, PLAIN) + count(content, PLAIN);

let hub: TestHub;
beforeAll(async () => {
	hub = await startTestHub();
});
afterAll(() => hub?.close());

/** What CacheInvalidations publishes when billing changes an account's plan (modules/billing). */
async function publishAccountChange(on: TestHub, accountId: string): Promise<void> {
	const redis = new Redis(TEST_REDIS_URL);
	try {
		await redis.publish(
			`${on.redisNamespace}:cache-invalidations`,
			JSON.stringify({ origin: 'test', topic: 'account', id: accountId }),
		);
	} finally {
		redis.disconnect();
	}
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = await probe();
		if (found !== undefined) return found;
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

const permit = (on: TestHub, accountId: string) =>
	on.request('/api/ai/permits', { key: on.platformKey, body: { accountId } });

describe('POST /api/ai/permits', () => {
	it('takes a plan limit from AI_REQUESTS_PER_MINUTE over the plan catalogue, and only for that plan', async () => {
		const database = await createTestDatabase();
		const overridden = await startTestHub({ database, aiRequestsPerMinute: { premium: 3 } });
		try {
			const premium = await overridden.createTenant({ plan: 'premium' });
			const freemium = await overridden.createTenant({ plan: 'freemium' });
			const answers = [];
			for (let i = 0; i < 4; i++) answers.push((await permit(overridden, premium.account.id)).body);
			expect(answers.map((answer) => answer.allowed)).toEqual([true, true, true, false]);
			expect(answers[0]).toMatchObject({ limit: 3, plan: 'premium' });
			expect((await permit(overridden, freemium.account.id)).body).toMatchObject({ allowed: true, limit: 60 });
		} finally {
			await overridden.close();
			await database.drop();
		}
	});

	it('grants 60 model requests a minute and refuses the 61st with the time to wait', async () => {
		const { account } = await hub.createTenant({ plan: 'freemium' });
		const granted = await Promise.all(Array.from({ length: 60 }, () => permit(hub, account.id)));
		expect(granted.every((response) => response.status === 200 && response.body.allowed)).toBe(true);
		expect(granted.map((response) => response.body.remaining).sort((a, b) => a - b)).toEqual(
			Array.from({ length: 60 }, (_, index) => index),
		);
		expectDocumented(granted[0]!, 'post', '/api/ai/permits');
		expect(granted[0]!.body).toMatchObject({ limit: 60, retryAfterMs: 0, plan: 'freemium' });

		const refused = await permit(hub, account.id);
		expectDocumented(refused, 'post', '/api/ai/permits');
		expect(refused.body).toMatchObject({ allowed: false, limit: 60, remaining: 0, plan: 'freemium' });
		expect(refused.body.retryAfterMs).toBeGreaterThan(50_000);
		expect(refused.body.retryAfterMs).toBeLessThanOrEqual(60_000);
		const resetIn = Date.parse(refused.body.resetAt) - Date.now();
		expect(Math.abs(resetIn - refused.body.retryAfterMs)).toBeLessThan(2_000);
	});

	it("gives each account its own budget; an account key spends its own account's", async () => {
		const [first, second] = [await hub.createTenant(), await hub.createTenant()];
		await Promise.all(Array.from({ length: 60 }, () => permit(hub, first.account.id)));
		expect((await hub.request('/api/ai/permits', { key: first.apiKey.key, body: {} })).body.allowed).toBe(false);
		// The account key acts for its own account: naming another one changes nothing.
		const own = await hub.request('/api/ai/permits', { key: second.apiKey.key, body: { accountId: first.account.id } });
		expect(own.body).toMatchObject({ allowed: true, remaining: 59 });
	});

	it('shares one budget between the replicas of a deployment, not with another deployment on the same Redis', async () => {
		const database = await createTestDatabase();
		const namespace = `skybot-test-ai-${randomBytes(6).toString('hex')}`;
		// Two replicas of one deployment (same database, same REDIS_NAMESPACE) and a hub of another namespace.
		const hubs = await Promise.all([
			startTestHub({ database, loginThrottlePrefix: namespace }),
			startTestHub({ database, loginThrottlePrefix: namespace }),
			startTestHub({ database }),
		]);
		const [first, second, other] = hubs as [TestHub, TestHub, TestHub];
		try {
			const { account } = await first.createTenant({ plan: 'premium' });
			const responses = await Promise.all(
				Array.from({ length: 80 }, (_, index) => permit(index % 2 === 0 ? first : second, account.id)),
			);
			expect(responses.every((response) => response.status === 200)).toBe(true);
			expect(responses.filter((response) => response.body.allowed)).toHaveLength(60);
			expect(responses.filter((response, index) => index % 2 === 1 && response.body.allowed).length).toBeGreaterThan(0);
			expect((await permit(first, account.id)).body.allowed).toBe(false);
			expect((await permit(other, account.id)).body).toMatchObject({ allowed: true, remaining: 59 });
		} finally {
			for (const running of hubs) await running.close();
			await database.drop();
		}
	});

	it("applies a plan change to the window in progress: what was spent stays spent, the new plan's limit judges it", async () => {
		const { account } = await hub.createTenant({ plan: 'freemium' });
		await Promise.all(Array.from({ length: 60 }, () => permit(hub, account.id)));
		expect((await permit(hub, account.id)).body).toMatchObject({ allowed: false, limit: 60 });

		// What billing does on a plan change: the row, then the invalidation every replica hears.
		await hub.dataSource.query(`UPDATE accounts SET plan = 'ultra' WHERE id = $1`, [account.id]);
		await publishAccountChange(hub, account.id);
		let attempts = 0;
		const upgraded = await eventually(async () => {
			attempts += 1;
			const response = await permit(hub, account.id);
			return response.body.plan === 'ultra' ? response : undefined;
		});
		// 60 granted and 1 refused this minute (a refusal counts too), then the attempts until the change was heard.
		expect(upgraded.body).toMatchObject({ allowed: true, limit: 120, plan: 'ultra', retryAfterMs: 0 });
		expect(upgraded.body.remaining).toBe(120 - 61 - attempts);

		await hub.dataSource.query(`UPDATE accounts SET plan = 'freemium' WHERE id = $1`, [account.id]);
		await publishAccountChange(hub, account.id);
		const downgraded = await eventually(async () => {
			const response = await permit(hub, account.id);
			return response.body.plan === 'freemium' ? response : undefined;
		});
		expect(downgraded.body).toMatchObject({ allowed: false, limit: 60 });
	});

	it('answers 422 to a malformed body and needs credentials', async () => {
		const { apiKey } = await hub.createTenant();
		const bad = await hub.request('/api/ai/permits', { key: apiKey.key, body: { accountId: 'not-a-uuid' } });
		expect(bad.status).toBe(422);
		expect((await hub.request('/api/ai/permits', { body: {} })).status).toBe(401);
	});

	it('fails closed when Redis is down: 503 ai_limiter_unavailable with Retry-After', async () => {
		const database = await createTestDatabase();
		const down = await startTestHub({ database, redisUrl: `redis://127.0.0.1:${await closedPort()}` });
		try {
			const { apiKey } = await down.createTenant();
			const response = await down.request('/api/ai/permits', { key: apiKey.key, body: {} });
			expect(response.status).toBe(503);
			expect(response.body.error.code).toBe('ai_limiter_unavailable');
			expect(response.headers.get('retry-after')).toBe('5');
			expectDocumented(response, 'post', '/api/ai/permits');
		} finally {
			await down.close();
			await database.drop();
		}
	});
});

type Logged = Omit<PipelineMessage, 'conversationId' | 'at'>;

/** Logs a conversation's messages as the pipeline does, a minute apart, oldest first ("message <n>" by default). */
async function logConversation(key: string, conversationId: string, messages: Logged[]): Promise<void> {
	const start = Date.now() - (messages.length + 1) * 60_000;
	for (const [index, message] of messages.entries()) {
		const text = message.text === null ? null : (message.text ?? `message ${index}`);
		await logPipelineMessage(hub, key, { ...message, text, conversationId, at: new Date(start + index * 60_000) });
	}
}

const context = (key: string, body: Record<string, unknown>) => hub.request('/api/ai/context', { key, body });

describe('POST /api/ai/context', () => {
	it('gives the conversation so far oldest first, with only the replies that went out, ending with the current message', async () => {
		const { apiKey } = await hub.createTenant();
		const conversationId = `conv-${randomUUID()}`;
		const redelivered = `mid-${randomUUID()}`;
		await logConversation(apiKey.key, conversationId, [
			{ text: 'Bonjour, vous êtes ouverts ?', reply: 'Oui, de 9 h à 18 h.' },
			{ text: 'Et le samedi ?' },
			{ text: 'Allô ?', reply: 'never sent', status: 'failed' },
			{ kind: 'read', text: null },
			{ text: 'Je veux réserver', reply: 'Pour quand ?' },
			{ text: 'Demain 10 h', messageId: redelivered },
		]);
		const response = await context(apiKey.key, {
			provider: 'instagram',
			conversationId,
			message: { text: 'Demain 10 h', id: redelivered },
		});
		expect(response.status).toBe(200);
		expectDocumented(response, 'post', '/api/ai/context');
		expect(response.body.messages).toEqual([
			{ role: 'user', content: 'Bonjour, vous êtes ouverts ?' },
			{ role: 'assistant', content: 'Oui, de 9 h à 18 h.' },
			{ role: 'user', content: 'Et le samedi ?' },
			{ role: 'user', content: 'Allô ?' },
			{ role: 'user', content: 'Je veux réserver' },
			{ role: 'assistant', content: 'Pour quand ?' },
			{ role: 'user', content: 'Demain 10 h' },
		]);
		const expectedHistory = response.body.messages
			.slice(0, -1)
			.reduce((sum: number, m: { role: string; content: string }) => sum + messageTokens(m.role, m.content), 0);
		expect(response.body).toMatchObject({
			model: 'gpt-4o-mini',
			encoding: 'o200k_base',
			maxTokens: 4000,
			history: { included: 4 },
			truncated: false,
			overBudget: false,
			tokens: { systemPrompt: 0, history: expectedHistory, current: messageTokens('user', 'Demain 10 h') },
		});
		expect(response.body.tokens.total).toBe(3 + expectedHistory + response.body.tokens.current);
	});

	it('trims the oldest turns first, whole, to fit maxTokens, and counts the system prompt', async () => {
		const { apiKey } = await hub.createTenant();
		const conversationId = `conv-${randomUUID()}`;
		const turns = Array.from({ length: 12 }, (_, index) => ({
			text: `question ${index}: ${'blah '.repeat(20)}`,
			reply: `answer ${index}: ${'ok '.repeat(20)}`,
		}));
		await logConversation(apiKey.key, conversationId, turns);
		const turnTokens = messageTokens('user', turns[0]!.text) + messageTokens('assistant', turns[0]!.reply);
		const current = 'and now?';
		const base = { provider: 'instagram', conversationId, message: { text: current } };
		const fixed = 3 + messageTokens('user', current);
		// Room for three whole turns and a bit: the fourth does not fit.
		const maxTokens = fixed + 3 * turnTokens + Math.floor(turnTokens / 2);

		const trimmed = await context(apiKey.key, { ...base, maxTokens });
		expect(trimmed.body).toMatchObject({ history: { included: 3 }, truncated: true, overBudget: false });
		expect(trimmed.body.messages.map((m: { content: string }) => m.content.split(':')[0])).toEqual([
			'question 9', 'answer 9', 'question 10', 'answer 10', 'question 11', 'answer 11', current,
		]);
		expect(trimmed.body.tokens.total).toBeLessThanOrEqual(maxTokens);

		const systemPrompt = `You are the assistant of Café Lumière. ${'Be kind. '.repeat(10)}`;
		const withPrompt = await context(apiKey.key, { ...base, maxTokens, systemPrompt });
		expect(withPrompt.body.tokens.systemPrompt).toBe(messageTokens('system', systemPrompt));
		expect(withPrompt.body.tokens.systemPrompt).toBeGreaterThan(turnTokens / 2);
		expect(withPrompt.body).toMatchObject({ history: { included: 2 }, truncated: true });
		expect(withPrompt.body.messages).toHaveLength(5);
		expect(withPrompt.body.messages.some((m: { role: string }) => m.role === 'system')).toBe(false);
		expect(withPrompt.body.tokens.total).toBeLessThanOrEqual(maxTokens);

		const everything = await context(apiKey.key, base);
		expect(everything.body).toMatchObject({ history: { included: 12 }, truncated: false });
	});

	it('keeps the current message whole when alone it exceeds the budget, and says so', async () => {
		const { apiKey } = await hub.createTenant();
		const conversationId = `conv-${randomUUID()}`;
		await logConversation(apiKey.key, conversationId, [{ text: 'hello', reply: 'hi!' }]);
		const long = 'Je voudrais savoir '.repeat(1500);
		const response = await context(apiKey.key, { provider: 'instagram', conversationId, message: { text: long } });
		expect(response.status).toBe(200);
		expect(response.body.messages).toEqual([{ role: 'user', content: long }]);
		expect(response.body).toMatchObject({ overBudget: true, truncated: true, history: { included: 0 } });
		expect(response.body.tokens.current).toBe(messageTokens('user', long));
		expect(response.body.tokens.total).toBeGreaterThan(4000);

		// No history at all: nothing was left out.
		const alone = await context(apiKey.key, { provider: 'instagram', conversationId: `conv-${randomUUID()}`, message: { text: long } });
		expect(alone.body).toMatchObject({ overBudget: true, truncated: false, messages: [{ role: 'user', content: long }] });
	});

	it("counts with the model family's tokenizer: cl100k_base for gpt-4 and gpt-3.5, o200k_base for the rest", async () => {
		const { apiKey } = await hub.createTenant();
		// A special token typed by a contact is plain text; Russian and Hindi are where the two encodings differ most.
		const text = 'Bonjour 👋 <|endoftext|> Здравствуйте, можно записаться на завтра? नमस्ते, कल अपॉइंटमेंट मिलेगा?';
		const base = { provider: 'instagram', conversationId: `conv-${randomUUID()}`, message: { text } };
		const gpt4 = await context(apiKey.key, { ...base, model: 'gpt-4-0613' });
		expect(gpt4.body).toMatchObject({ encoding: 'cl100k_base', tokens: { current: messageTokens('user', text, cl100kTokens) } });
		expect((await context(apiKey.key, { ...base, model: 'gpt-3.5-turbo' })).body.encoding).toBe('cl100k_base');
		for (const model of ['gpt-4o-mini-2024-07-18', 'openai/gpt-4.1', 'o3-mini', 'gpt-5', 'llama-3.1-8b-instruct']) {
			const answer = await context(apiKey.key, { ...base, model });
			expect([model, answer.body.encoding, answer.body.tokens.current]).toEqual([
				model,
				'o200k_base',
				messageTokens('user', text),
			]);
		}
		expect(messageTokens('user', text)).not.toBe(messageTokens('user', text, cl100kTokens));
	});

	it("reads only the caller's account: another tenant's conversation of the same id is not its history", async () => {
		const [first, second] = [await hub.createTenant(), await hub.createTenant()];
		const conversationId = `conv-${randomUUID()}`;
		await logConversation(first.apiKey.key, conversationId, [{ text: 'secret of the first tenant', reply: 'noted' }]);
		const body = { provider: 'instagram', conversationId, message: { text: 'hi' } };
		const foreign = await context(second.apiKey.key, { ...body, accountId: first.account.id });
		expect(foreign.body.messages).toEqual([{ role: 'user', content: 'hi' }]);
		const viaPlatform = await hub.request('/api/ai/context', { key: hub.platformKey, body: { ...body, accountId: first.account.id } });
		expect(viaPlatform.body.history).toEqual({ included: 1 });
		const otherProvider = await context(first.apiKey.key, { ...body, provider: 'messenger' });
		expect(otherProvider.body.history).toEqual({ included: 0 });
	});

	it('answers 422 listing the problems of a malformed request', async () => {
		const { apiKey } = await hub.createTenant();
		const response = await context(apiKey.key, { provider: 'fax', message: { text: '' }, maxTokens: 0 });
		expect(response.status).toBe(422);
		expect(response.body.error.details.map((issue: { path: string }) => issue.path).sort()).toEqual([
			'body.conversationId',
			'body.maxTokens',
			'body.message.text',
			'body.provider',
		]);
		expect((await hub.request('/api/ai/context', { key: hub.platformKey, body: { provider: 'instagram', conversationId: 'c', message: { text: 'x' } } })).status).toBe(422);
	});
});
