import { randomBytes, randomUUID } from 'node:crypto';
import Queue from 'bull';
import { PLANS } from '../src/modules/quotas/plans';
import { createManualClock, startTestHub, TEST_REDIS_URL, type TestHub } from './support';

const clock = createManualClock('2026-03-10T15:00:00.000Z');
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now });
});
afterAll(() => hub?.close());
beforeEach(() => clock.set('2026-03-10T15:00:00.000Z'));

const freshMessage = () => ({ messageId: `mid.${randomUUID()}`, conversationId: `conv-${randomUUID()}` });
const consumeFor = (accountId: string, message = freshMessage()) =>
	hub.request('/api/quotas/consume', { key: hub.platformKey, body: { ...message, accountId } });

describe('the plan catalogue', () => {
	it('keeps the product brief’s prices in cents and limits', () => {
		expect(PLANS.freemium).toMatchObject({ dailyDms: 10, priceCents: {} });
		expect(PLANS.premium).toMatchObject({ dailyDms: 100, priceCents: { month: 1499 } });
		expect(PLANS.ultra).toMatchObject({ dailyDms: null, priceCents: { month: 2999, year: 29900 } });
		for (const plan of Object.values(PLANS)) {
			for (const cents of Object.values(plan.priceCents)) expect(Number.isInteger(cents)).toBe(true);
		}
		expect(PLANS.freemium.maxAgents).toBeLessThan(PLANS.premium.maxAgents);
		expect(PLANS.premium.maxAgents).toBeLessThan(PLANS.ultra.maxAgents);
	});
});

describe('GET /api/billing/usage', () => {
	it('reports the figures a consume reports, without consuming', async () => {
		const { account, apiKey } = await hub.createTenant({ plan: 'premium' });
		for (let index = 0; index < 3; index += 1) await consumeFor(account.id);
		const consumed = (await consumeFor(account.id)).body;
		const usage = await hub.request('/api/billing/usage', { key: apiKey.key });
		const again = await hub.request('/api/billing/usage', { key: apiKey.key });

		expect(usage.status).toBe(200);
		const { used, limit, remaining, resetAt, plan } = consumed;
		expect(usage.body).toEqual({ used, limit, remaining, resetAt, plan });
		expect(usage.body).toEqual({ plan: 'premium', used: 4, limit: 100, remaining: 96, resetAt: '2026-03-11T00:00:00.000Z' });
		expect(again.body).toEqual(usage.body);
	});

	it('starts from zero at the UTC day boundary and reports Ultra as unlimited', async () => {
		const freemium = await hub.createTenant();
		clock.set('2026-03-10T23:59:59.000Z');
		for (let index = 0; index < 10; index += 1) await consumeFor(freemium.account.id);
		expect((await hub.request('/api/billing/usage', { key: freemium.apiKey.key })).body).toMatchObject({
			used: 10,
			remaining: 0,
		});
		clock.set('2026-03-11T00:00:00.000Z');
		expect((await hub.request('/api/billing/usage', { key: freemium.apiKey.key })).body).toEqual({
			plan: 'freemium',
			used: 0,
			limit: 10,
			remaining: 10,
			resetAt: '2026-03-12T00:00:00.000Z',
		});

		const ultra = await hub.createTenant({ plan: 'ultra' });
		expect((await hub.request('/api/billing/usage', { key: ultra.apiKey.key })).body).toMatchObject({
			plan: 'ultra',
			limit: null,
			remaining: null,
		});
	});

	it('needs accountId with the platform key and answers 404 for an unknown one', async () => {
		expect((await hub.request('/api/billing/usage', { key: hub.platformKey })).status).toBe(422);
		const unknown = await hub.request(`/api/billing/usage?accountId=${randomUUID()}`, { key: hub.platformKey });
		expect(unknown.status).toBe(404);
		const { account } = await hub.createTenant();
		const usage = await hub.request(`/api/billing/usage?accountId=${account.id}`, { key: hub.platformKey });
		expect(usage.body).toMatchObject({ plan: 'freemium', used: 0 });
	});
});

describe('agent limits', () => {
	const createAgent = (key: string, name = `agent-${randomBytes(3).toString('hex')}`) =>
		hub.request('/api/agents', { key, body: { name } });

	it('refuses agents beyond the plan’s limit, also when requests race', async () => {
		// createTenant already made one agent.
		const { apiKey } = await hub.createTenant();
		const responses = await Promise.all(Array.from({ length: 5 }, () => createAgent(apiKey.key)));
		expect(responses.filter((response) => response.status === 201)).toHaveLength(PLANS.freemium.maxAgents - 1);
		const refused = responses.filter((response) => response.status === 403);
		expect(refused).toHaveLength(5 - (PLANS.freemium.maxAgents - 1));
		expect(refused[0]!.body.error).toMatchObject({
			code: 'agent_limit_reached',
			details: { plan: 'freemium', maxAgents: PLANS.freemium.maxAgents },
		});
	});

	it('follows a plan change at once', async () => {
		const { account, apiKey } = await hub.createTenant();
		while ((await createAgent(apiKey.key)).status === 201);
		await hub.dataSource.query(`UPDATE accounts SET plan = 'premium' WHERE id = $1`, [account.id]);
		expect((await createAgent(apiKey.key)).status).toBe(201);
	});
});

describe('a bull retry of the same DM', () => {
	it('consumes quota once', async () => {
		const { account } = await hub.createTenant();
		const message = freshMessage();
		const answers: { used: number; duplicate: boolean }[] = [];
		// A job like the pipeline's: consume the DM's quota, then fail (e.g. sending the reply timed out) so bull retries.
		const queue = new Queue<{ accountId: string }>('dm-reply', TEST_REDIS_URL, {
			prefix: `skybot-test-dm-${randomBytes(6).toString('hex')}`,
		});
		try {
			void queue.process(async (job) => {
				answers.push((await consumeFor(job.data.accountId, message)).body);
				if (job.attemptsMade < 2) throw new Error('reply could not be sent');
			});
			const job = await queue.add({ accountId: account.id }, { attempts: 3, backoff: 10 });
			await job.finished();
		} finally {
			await queue.obliterate({ force: true });
			await queue.close();
		}

		expect(answers.map((answer) => [answer.used, answer.duplicate])).toEqual([
			[1, false],
			[1, true],
			[1, true],
		]);
		expect((await consumeFor(account.id)).body).toMatchObject({ used: 2, duplicate: false });
	});
});
