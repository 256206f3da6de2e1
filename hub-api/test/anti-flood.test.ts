import { randomUUID } from 'node:crypto';
import type { InteractionStatus, RecordOutcomeRequest } from '../../contracts/hub-api';
import { signatureHeader } from '../src/modules/executions/signature';
import type { SeededTenant } from '../src/seed';
import { createManualClock, startTestHub, TEST_WEBHOOK_SECRET, type TestHub } from './support';
import { expectDocumented } from './support/documented';

// Anti-flood counts replies sent: the consume's lastReplyAt is set by `replied` outcomes, not by consumes.
const clock = createManualClock('2026-03-10T15:00:00.000Z');
let hub: TestHub;
beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now });
});
afterAll(() => hub?.close());
beforeEach(() => clock.set('2026-03-10T15:00:00.000Z'));

type Tenant = SeededTenant;

const consume = (tenant: Tenant, messageId: string, conversationId: string) =>
	hub.request('/api/quotas/consume', { key: tenant.apiKey.key, body: { messageId, conversationId } });

function recordOutcome(tenant: Tenant, messageId: string, conversationId: string, status: InteractionStatus, executionId = 'exec-1') {
	const body: RecordOutcomeRequest = {
		accountId: tenant.account.id,
		agentId: tenant.agent.id,
		executionId,
		startedAt: clock.now().toISOString(),
		status,
		...(status === 'replied' ? {} : { reason: status === 'failed' ? 'send_failed' : 'anti_flood' }),
		message: {
			provider: 'messenger',
			kind: 'dm',
			messageId,
			accountExternalId: 'page-1',
			conversationId,
			contact: { externalId: 'psid-1' },
			text: 'Hi',
			timestamp: clock.now().toISOString(),
		},
		...(status === 'replied' ? { reply: { text: 'Hello!' } } : {}),
	};
	const raw = JSON.stringify(body);
	return hub.request('/api/webhooks/n8n/outcome', {
		method: 'POST',
		rawBody: raw,
		headers: { 'x-skybot-signature': signatureHeader(TEST_WEBHOOK_SECRET, Math.floor(clock.now().getTime() / 1000), raw) },
	});
}

describe("the consume's lastReplyAt", () => {
	it('is the time of the last replied outcome of the conversation, and of no other', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const conversation = `conv-${randomUUID()}`;
		const first = await consume(tenant, 'm1', conversation);
		expectDocumented(first, 'post', '/api/quotas/consume');
		expect(first.body.lastReplyAt).toBeNull();

		clock.advance(2_000);
		expect((await recordOutcome(tenant, 'm1', conversation, 'replied')).status).toBe(201);
		clock.advance(60_000);
		const second = await consume(tenant, 'm2', conversation);
		expect(second.body).toMatchObject({ lastReplyAt: '2026-03-10T15:00:02.000Z', previousAllowedAt: '2026-03-10T15:00:00.000Z' });
		expect((await consume(tenant, 'm3', `conv-${randomUUID()}`)).body.lastReplyAt).toBeNull();
		// A duplicate consume answers what the first one read.
		expect((await consume(tenant, 'm1', conversation)).body).toMatchObject({ duplicate: true, lastReplyAt: null });
	});

	it('is not moved by skipped or failed messages: they do not restart the flood window', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const conversation = `conv-${randomUUID()}`;
		await consume(tenant, 'm1', conversation);
		await recordOutcome(tenant, 'm1', conversation, 'replied');
		clock.advance(60_000);
		await consume(tenant, 'm2', conversation);
		await recordOutcome(tenant, 'm2', conversation, 'failed');
		clock.advance(60_000);
		await recordOutcome(tenant, 'm3', conversation, 'skipped');
		await recordOutcome(tenant, 'm4', conversation, 'quota_exceeded');
		clock.advance(60_000);

		const next = await consume(tenant, 'm5', conversation);
		expect(next.body.lastReplyAt).toBe('2026-03-10T15:00:00.000Z');
		// While the consume's previousAllowedAt (read by pipeline v1.2.0's Decision) still counts allowed messages.
		expect(next.body.previousAllowedAt).toBe('2026-03-10T15:01:00.000Z');
	});

	it('only moves forward: a repeated or late outcome of an earlier reply leaves the later one', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const conversation = `conv-${randomUUID()}`;
		await recordOutcome(tenant, 'm1', conversation, 'replied');
		clock.advance(300_000);
		await recordOutcome(tenant, 'm2', conversation, 'replied');
		clock.advance(1_000);
		const repeat = await recordOutcome(tenant, 'm1', conversation, 'replied', 'exec-retry');
		expect(repeat.body.duplicate).toBe(true);

		expect((await consume(tenant, 'm3', conversation)).body.lastReplyAt).toBe('2026-03-10T15:05:00.000Z');
	});
});
