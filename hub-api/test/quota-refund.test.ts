import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { RecordOutcomeRequest } from '../../contracts/hub-api';
import { signatureHeader } from '../src/modules/executions/signature';
import { QuotaStore } from '../src/modules/quotas/quota-store';
import { createManualClock, startTestHub, TEST_REDIS_URL, TEST_WEBHOOK_SECRET, type TestHub } from './support';
import { expectDocumented } from './support/documented';

/** The quota store on the real Redis, under a namespace of its own. */
describe('QuotaStore.refund', () => {
	const redis = new Redis(TEST_REDIS_URL);
	const store = new QuotaStore(redis, `skybot-test-${randomBytes(6).toString('hex')}`);
	afterAll(() => redis.quit());

	const today = new Date('2026-03-10T15:00:00.000Z');
	const consume = (accountId: string, messageId: string, now = today, limit: number | null = 10) =>
		store.consume({ accountId, plan: 'freemium', limit, messageId, conversationId: `conv-${messageId}`, now });

	it('gives a consumed unit back once; the message stays consumed-and-refunded for a redelivery', async () => {
		const account = randomUUID();
		await consume(account, 'm1');
		await consume(account, 'm2');
		expect(await store.usedToday(account, today)).toBe(2);

		expect(await store.refund(account, 'm1', today)).toBe('refunded');
		expect(await store.usedToday(account, today)).toBe(1);
		expect(await store.refund(account, 'm1', today)).toBe('already_refunded');
		expect(await store.usedToday(account, today)).toBe(1);

		// A redelivery of the refunded message: the stored answer, refunded, and nothing consumed again.
		expect(await consume(account, 'm1')).toMatchObject({ allowed: true, duplicate: true, refunded: true });
		expect(await store.usedToday(account, today)).toBe(1);
		expect(await consume(account, 'm2')).toMatchObject({ duplicate: true, refunded: false });
	});

	it('gives one unit back for many concurrent refunds of one message', async () => {
		const account = randomUUID();
		await Promise.all(['a', 'b', 'c'].map((id) => consume(account, id)));
		const results = await Promise.all(Array.from({ length: 20 }, () => store.refund(account, 'b', today)));

		expect(results.filter((result) => result === 'refunded')).toHaveLength(1);
		expect(results.filter((result) => result === 'already_refunded')).toHaveLength(19);
		expect(await store.usedToday(account, today)).toBe(2);
	});

	it('does nothing for a message it never saw, or one the quota refused', async () => {
		const account = randomUUID();
		for (let index = 0; index < 10; index += 1) await consume(account, `m${index}`);
		expect((await consume(account, 'refused')).allowed).toBe(false);

		expect(await store.refund(account, 'never-seen', today)).toBe('unknown');
		expect(await store.refund(account, 'refused', today)).toBe('not_consumed');
		expect(await store.usedToday(account, today)).toBe(10);
		// The refused message's answer is unchanged: a redelivery is still refused, not refunded.
		expect(await consume(account, 'refused')).toMatchObject({ allowed: false, duplicate: true, refunded: false });
	});

	it('never takes the counter below zero (a counter that was reset or lost)', async () => {
		const account = randomUUID();
		await consume(account, 'm1');
		const counterKeys = await redis.keys(`*{${account}}:day:*`);
		await redis.del(...counterKeys);

		expect(await store.refund(account, 'm1', today)).toBe('refunded');
		expect(await store.usedToday(account, today)).toBe(0);
		expect(await redis.exists(...counterKeys)).toBe(0);
	});

	it("does not lower today's count for yesterday's message", async () => {
		const account = randomUUID();
		const yesterday = new Date('2026-03-09T23:59:30.000Z');
		await consume(account, 'late-last-night', yesterday);
		await consume(account, 'this-morning', today);

		expect(await store.refund(account, 'late-last-night', today)).toBe('refunded_past_day');
		expect(await store.usedToday(account, today)).toBe(1);
		expect(await store.usedToday(account, yesterday)).toBe(1);
		// Marked all the same: asking again gives nothing either.
		expect(await store.refund(account, 'late-last-night', today)).toBe('already_refunded');
	});

	it('gives unlimited plans their count back too', async () => {
		const account = randomUUID();
		await consume(account, 'u1', today, null);
		expect(await store.refund(account, 'u1', today)).toBe('refunded');
		expect(await store.usedToday(account, today)).toBe(0);
	});

	it('keeps the stored answer expiring as before', async () => {
		const account = randomUUID();
		await consume(account, 'm1');
		const [answerKey] = await redis.keys(`*{${account}}:message:m1`);
		const before = await redis.ttl(answerKey!);
		await store.refund(account, 'm1', today);
		expect(await redis.ttl(answerKey!)).toBeGreaterThan(before - 5);
	});
});

describe('a failed outcome gives its unit back', () => {
	const clock = createManualClock('2026-03-10T15:00:00.000Z');
	let hub: TestHub;
	beforeAll(async () => {
		hub = await startTestHub({ clock: clock.now });
	});
	afterAll(() => hub?.close());

	function sendOutcome(body: RecordOutcomeRequest) {
		const raw = JSON.stringify(body);
		return hub.request('/api/webhooks/n8n/outcome', {
			method: 'POST',
			rawBody: raw,
			headers: { 'x-skybot-signature': signatureHeader(TEST_WEBHOOK_SECRET, Math.floor(clock.now().getTime() / 1000), raw) },
		});
	}
	const message = (messageId: string, conversationId: string) => ({
		provider: 'instagram' as const,
		kind: 'dm' as const,
		messageId,
		accountExternalId: '1784',
		conversationId,
		contact: { externalId: 'igsid-7' },
		text: 'Hello',
		timestamp: '2026-03-10T14:59:59.000Z',
	});

	it.each([['ai_failed'], ['send_failed']])('gives back the unit of a DM whose %s, once, and usage shows it', async (reason) => {
		const tenant = await hub.createTenant();
		const [messageId, conversationId] = [`mid.${randomUUID()}`, `conv-${randomUUID()}`];
		const consume = () => hub.request('/api/quotas/consume', { key: tenant.apiKey.key, body: { messageId, conversationId } });
		const usage = async () => (await hub.request('/api/billing/usage', { key: tenant.apiKey.key })).body.used as number;
		expect((await consume()).body).toMatchObject({ allowed: true, used: 1, refunded: false });
		await hub.request('/api/quotas/consume', {
			key: tenant.apiKey.key,
			body: { messageId: `mid.${randomUUID()}`, conversationId },
		});
		expect(await usage()).toBe(2);

		const failed: RecordOutcomeRequest = {
			accountId: tenant.account.id,
			agentId: tenant.agent.id,
			executionId: 'exec-1',
			startedAt: clock.now().toISOString(),
			status: 'failed',
			reason,
			message: message(messageId, conversationId),
			error: { message: 'it broke' },
		};
		const first = await sendOutcome(failed);
		expect(first.status).toBe(201);
		expectDocumented(first, 'post', '/api/webhooks/n8n/outcome');
		expect(first.body.quotaRefunded).toBe(true);
		expect(await usage()).toBe(1);
		const usageAnswer = await hub.request('/api/billing/usage', { key: tenant.apiKey.key });
		expect(usageAnswer.body).toMatchObject({ used: 1, remaining: 9 });

		// The same outcome again, and the failure of another execution of the message: nothing more back.
		const repeats = await Promise.all([sendOutcome(failed), sendOutcome(failed), sendOutcome({ ...failed, executionId: 'exec-2' })]);
		expect(repeats.map((response) => response.body.quotaRefunded)).toEqual([true, true, true]);
		expect(await usage()).toBe(1);

		// A redelivery of the message consumes nothing and says why.
		const redelivered = await consume();
		expect(redelivered.body).toMatchObject({ allowed: true, duplicate: true, refunded: true });
		expectDocumented(redelivered, 'post', '/api/quotas/consume');
		expect(await usage()).toBe(1);
	});

	it('gives nothing back for an answered, skipped or refused message', async () => {
		const tenant = await hub.createTenant();
		const conversationId = `conv-${randomUUID()}`;
		for (const status of ['replied', 'skipped', 'quota_exceeded'] as const) {
			const messageId = `mid.${randomUUID()}`;
			await hub.request('/api/quotas/consume', { key: tenant.apiKey.key, body: { messageId, conversationId } });
			const response = await sendOutcome({
				accountId: tenant.account.id,
				agentId: tenant.agent.id,
				executionId: `exec-${status}`,
				startedAt: clock.now().toISOString(),
				status,
				message: message(messageId, conversationId),
				...(status === 'replied' ? { reply: { text: 'Hi!' } } : {}),
			});
			expect([status, response.status, response.body.quotaRefunded]).toEqual([status, 201, false]);
		}
		expect((await hub.request('/api/billing/usage', { key: tenant.apiKey.key })).body.used).toBe(3);
	});

	it('gives the unit back on a repeat of an outcome whose refund did not happen the first time', async () => {
		// What n8n retrying an outcome answered 503 (Redis down after the commit) relies on: the repeat is a duplicate
		// for PostgreSQL, and the refund runs all the same. Here the first refund found no consumed unit yet.
		const tenant = await hub.createTenant();
		const [messageId, conversationId] = [`mid.${randomUUID()}`, `conv-${randomUUID()}`];
		const failed: RecordOutcomeRequest = {
			accountId: tenant.account.id,
			agentId: tenant.agent.id,
			executionId: 'exec-1',
			startedAt: clock.now().toISOString(),
			status: 'failed',
			reason: 'send_failed',
			message: message(messageId, conversationId),
		};
		expect((await sendOutcome(failed)).body).toMatchObject({ duplicate: false, quotaRefunded: false });
		await hub.request('/api/quotas/consume', { key: tenant.apiKey.key, body: { messageId, conversationId } });
		expect((await sendOutcome(failed)).body).toMatchObject({ duplicate: true, quotaRefunded: true });
		expect((await hub.request('/api/billing/usage', { key: tenant.apiKey.key })).body.used).toBe(0);
	});

	it('gives nothing back for a failure that a reply already superseded', async () => {
		const tenant = await hub.createTenant();
		const [messageId, conversationId] = [`mid.${randomUUID()}`, `conv-${randomUUID()}`];
		await hub.request('/api/quotas/consume', { key: tenant.apiKey.key, body: { messageId, conversationId } });
		const base = {
			accountId: tenant.account.id,
			agentId: tenant.agent.id,
			startedAt: clock.now().toISOString(),
			message: message(messageId, conversationId),
		};
		await sendOutcome({ ...base, executionId: 'exec-ok', status: 'replied', reply: { text: 'Hi!' } });
		const lateFailure = await sendOutcome({ ...base, executionId: 'exec-late', status: 'failed', reason: 'send_failed' });
		expect(lateFailure.body).toMatchObject({ status: 'replied', duplicate: true, quotaRefunded: false });
		expect((await hub.request('/api/billing/usage', { key: tenant.apiKey.key })).body.used).toBe(1);
	});
});
