/**
 * SkyBot › Pipeline › Record Outcome executed in-process by n8n-core against a real hub (fresh PostgreSQL database,
 * real Redis): a small fixture (route, record outcome, done), not the pipeline. One signed request per message stores
 * the interaction and the execution report; a failed message gets its quota unit back; a refusal never loses the item.
 */
import { join } from 'node:path';

import type { InboundMessage } from '../../contracts/inbound-message';
import { startTestHub, TEST_WEBHOOK_SECRET, type TestHub } from '../../hub-api/test/support';
import { graphId } from '../fakes/meta-webhook';
import { readWorkflowJson, runWorkflow } from '../support/n8n-in-process';

const fixture = readWorkflowJson(join(__dirname, 'fixtures', 'record-outcome.workflow.json'));
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub();
});
afterAll(() => hub?.close());

const credentials = (webhookSecret = TEST_WEBHOOK_SECRET) => ({
	skyBotHubApi: { baseUrl: hub.url, apiKey: hub.platformKey, webhookSecret },
});

async function instagramTenant() {
	const accountExternalId = graphId();
	const tenant = await hub.createTenant({ externalAccount: { provider: 'instagram', externalId: accountExternalId } });
	return { ...tenant, accountExternalId };
}

function inbound(accountExternalId: string): InboundMessage {
	const contactId = graphId();
	return {
		provider: 'instagram',
		kind: 'dm',
		messageId: `mid.${graphId()}`,
		accountExternalId,
		conversationId: `instagram:${accountExternalId}:${contactId}`,
		contact: { externalId: contactId, name: 'Léa Martin' },
		text: 'Bonjour, quel est le prix ?',
		timestamp: new Date().toISOString(),
	};
}

const replied = (message: InboundMessage) => ({
	...message,
	handled: { status: 'replied' },
	ai: { text: 'Bonjour Léa !', model: 'gpt-4o-mini', promptTokens: 120, completionTokens: 30, costUsd: 0.000036 },
	delivery: { messageId: 'm_reply-1' },
});

const rowsOf = (table: 'interactions' | 'executions', accountId: string) =>
	hub.dataSource.query(`SELECT * FROM ${table} WHERE account_id = $1 ORDER BY created_at`, [accountId]) as Promise<
		Record<string, unknown>[]
	>;

describe('Record Outcome in n8n', () => {
	it('stores the interaction and the execution report of each message with one request', async () => {
		const tenant = await instagramTenant();
		const [first, second] = [inbound(tenant.accountExternalId), inbound(tenant.accountExternalId)];
		const skipped = { ...second, handled: { status: 'skipped', reason: 'anti_flood' } };

		const result = await runWorkflow({ workflowJson: fixture, triggerItems: [replied(first), skipped], credentials: credentials() });

		expect(result.error).toBeUndefined();
		const done = result.outputsOf('Done');
		expect(done.map((item) => item.outcome)).toEqual([
			expect.objectContaining({ status: 'replied', duplicate: false, quotaRefunded: false, executionId: expect.any(String) }),
			expect.objectContaining({ status: 'skipped', reason: 'anti_flood', duplicate: false }),
		]);
		const interactions = await rowsOf('interactions', tenant.account.id);
		expect(interactions).toEqual([
			expect.objectContaining({ message_id: first.messageId, status: 'replied', reply_text: 'Bonjour Léa !', reply_external_id: 'm_reply-1' }),
			expect.objectContaining({ message_id: second.messageId, status: 'skipped', reason: 'anti_flood' }),
		]);
		const executions = await rowsOf('executions', tenant.account.id);
		expect(executions.map((row) => [row.message_id, row.status, row.reason])).toEqual([
			[first.messageId, 'success', null],
			[second.messageId, 'skipped', 'anti_flood'],
		]);
		expect(executions[0]).toMatchObject({ agent_id: tenant.agent.id, prompt_tokens: 120, cost_usd: '0.000036' });
		expect(Number(executions[0]!.latency_ms)).toBeGreaterThanOrEqual(0);

		// The same message handled again (a redelivery, another execution): recorded once.
		const again = await runWorkflow({ workflowJson: fixture, triggerItems: [replied(first)], credentials: credentials() });
		expect(again.outputsOf('Done')[0]!.outcome).toMatchObject({ duplicate: true, interactionId: interactions[0]!.id });
		expect(await rowsOf('executions', tenant.account.id)).toHaveLength(2);
	});

	it("gives a failed message's quota unit back", async () => {
		const tenant = await instagramTenant();
		const message = inbound(tenant.accountExternalId);
		const consumed = await hub.request('/api/quotas/consume', {
			key: tenant.apiKey.key,
			body: { messageId: message.messageId, conversationId: message.conversationId },
		});
		expect(consumed.body.used).toBe(1);

		const failed = { ...message, handled: { status: 'failed', reason: 'ai_failed' }, error: { message: 'The model answered 503' } };
		const result = await runWorkflow({ workflowJson: fixture, triggerItems: [failed], credentials: credentials() });

		expect(result.outputsOf('Done')[0]!.outcome).toMatchObject({ status: 'failed', reason: 'ai_failed', quotaRefunded: true });
		expect((await hub.request('/api/billing/usage', { key: tenant.apiKey.key })).body.used).toBe(0);
		expect((await rowsOf('interactions', tenant.account.id))[0]).toMatchObject({ error_message: 'The model answered 503' });
	});

	it('never loses the item when the hub refuses the record: it reaches the next node with the error', async () => {
		const tenant = await instagramTenant();
		const message = inbound(tenant.accountExternalId);
		const result = await runWorkflow({
			workflowJson: fixture,
			triggerItems: [replied(message)],
			credentials: credentials('not-the-hub-secret-but-long-enough-to-sign'),
		});

		expect(result.error).toBeUndefined();
		const [item] = result.outputsOf('Done');
		expect(item).toMatchObject({ messageId: message.messageId, ai: { text: 'Bonjour Léa !' } });
		expect(item!.error).toMatchObject({ message: expect.stringMatching(/signature/i) });
		expect(await rowsOf('interactions', tenant.account.id)).toEqual([]);
	});
});
