/**
 * The versioned inbound pipeline (v2), executed in-process by n8n-core: the Meta trigger's output is injected (the
 * trigger's own normaliser applied to a Meta payload), then the hub's decision, the AI, the confirmation, the send and
 * the outcome run for real against a real hub (fresh PostgreSQL database, real Redis, a burst window of one second),
 * the fake OpenAI and the fake Graph API.
 */
import { join } from 'node:path';

import type { InboundMessage } from '../../contracts/inbound-message';
import { startTestHub, TEST_WEBHOOK_SECRET, type TestHub } from '../../hub-api/test/support';
import { normalizeMetaDelivery } from '../../nodes/SkyBotMetaTrigger/normalize';
import { type FakeMetaGraph, startFakeMetaGraph } from '../fakes/meta-graph';
import {
	batch,
	graphId,
	instagramMessage,
	type MetaWebhookPayload,
	messengerMessage,
	messengerRead,
	serializeLikeMeta,
	waId,
	whatsappText,
} from '../fakes/meta-webhook';
import { defaultReply, type FakeOpenAi, startFakeOpenAi } from '../fakes/openai';
import { readWorkflowJson, runWorkflow } from '../support/n8n-in-process';
import { repoRoot } from '../support/n8n-in-process/runtime';

const pipeline = readWorkflowJson(join(repoRoot, 'workflows', 'inbound-message-pipeline', 'inbound-message-pipeline.workflow.json'));
const GRAPH_VERSION = 'v21.0';

let hub: TestHub;
let openai: FakeOpenAi;
let graph: FakeMetaGraph;

beforeAll(async () => {
	[openai, graph] = await Promise.all([startFakeOpenAi(), startFakeMetaGraph()]);
	// The hub sends the Meta replies (v3): these tenants' pages are operator claims, so with the operator's token.
	hub = await startTestHub({
		pipeline: { burstWindowSeconds: 1 },
		social: { metaSend: { graphUrl: graph.url, graphVersion: GRAPH_VERSION, operatorAccessToken: graph.accessToken } },
	});
});
afterAll(async () => {
	await Promise.all([hub?.close(), openai?.close(), graph?.close()]);
});

function credentials() {
	return {
		skyBotHubApi: { baseUrl: hub.url, apiKey: hub.platformKey, webhookSecret: TEST_WEBHOOK_SECRET },
		openAiApi: { apiKey: openai.apiKey, url: openai.baseUrl },
		skyBotMetaAppApi: {
			appSecret: 'pipeline-test-app-secret',
			verifyToken: 'pipeline-test-verify-token',
			accessToken: graph.accessToken,
			graphBaseUrl: graph.url,
			graphVersion: GRAPH_VERSION,
		},
	};
}

/** What the trigger emits for this delivery: its normaliser applied to the bytes Meta would send. */
function triggerItemsFor(payload: MetaWebhookPayload): InboundMessage[] {
	return normalizeMetaDelivery(JSON.parse(serializeLikeMeta(payload))).messages;
}

async function runPipeline(payload: MetaWebhookPayload) {
	return runWorkflow({ workflowJson: pipeline, triggerItems: triggerItemsFor(payload), credentials: credentials() });
}

/** A tenant whose Facebook page routes to its agent. */
async function messengerTenant(plan: 'freemium' | 'premium' = 'freemium') {
	const pageId = graphId();
	const tenant = await hub.createTenant({ plan, externalAccount: { provider: 'messenger', externalId: pageId } });
	return { pageId, key: tenant.apiKey.key, accountId: tenant.account.id, agentId: tenant.agent.id as string };
}

async function interactionsOf(key: string) {
	const response = await hub.request('/api/interactions', { key });
	expect(response.status).toBe(200);
	return response.body.interactions as {
		status: string;
		reason: string | null;
		messageId: string;
		reply: { text: string; externalId: string | null } | null;
		error: { message: string } | null;
	}[];
}

/** The execution reports the hub recorded for an account (Report nodes), oldest first. */
async function executionsOf(accountId: string) {
	return (await hub.dataSource.query(
		`SELECT status, reason, n8n_execution_id, message_id, conversation_id, contact_id, latency_ms, model,
			prompt_tokens, completion_tokens, cost_usd::float8 AS cost_usd, error_message
		FROM executions WHERE account_id = $1 ORDER BY created_at, message_id`,
		[accountId],
	)) as {
		status: string;
		reason: string | null;
		n8n_execution_id: string;
		message_id: string;
		conversation_id: string;
		contact_id: string;
		latency_ms: number | null;
		model: string | null;
		prompt_tokens: number;
		completion_tokens: number;
		cost_usd: number;
		error_message: string | null;
	}[];
}

const sentTo = (accountId: string) => graph.sent.filter((message) => message.accountId === accountId);
const completionsMentioning = (text: string) =>
	openai.completions.filter((completion) => completion.request.messages.some((message) => message.content.includes(text)));

describe('inbound message pipeline', () => {
	it('answers a Messenger DM with the AI reply sent through Graph and logs it as replied', async () => {
		const { pageId, key } = await messengerTenant();
		const senderId = graphId();
		const payload = messengerMessage({ accountId: pageId, senderId, text: 'Bonjour ! Vous êtes ouverts le dimanche ? 😊' });

		const result = await runPipeline(payload);

		expect(result.error).toBeUndefined();
		const [completion] = completionsMentioning('Vous êtes ouverts le dimanche ? 😊');
		expect(completion).toBeDefined();
		expect(sentTo(pageId)).toEqual([
			expect.objectContaining({ api: 'messenger', version: GRAPH_VERSION, recipient: senderId, text: completion!.reply }),
		]);
		const [interaction] = await interactionsOf(key);
		expect(interaction).toMatchObject({
			status: 'replied',
			messageId: triggerItemsFor(payload)[0]!.messageId,
			reply: { text: completion!.reply, externalId: sentTo(pageId)[0]!.messageId },
		});
	});

	it.each([
		[
			'an Instagram DM through the Messenger Platform Send API',
			'instagram' as const,
			(accountId: string, contactId: string, text: string) => instagramMessage({ accountId, senderId: contactId, text }),
			'messenger',
		],
		[
			'a WhatsApp message through the Cloud API',
			'whatsapp' as const,
			(accountId: string, contactId: string, text: string) => whatsappText({ phoneNumberId: accountId, from: contactId, text }),
			'whatsapp',
		],
	])('answers %s', async (_case, provider, payloadFor, api) => {
		const accountId = graphId();
		const contactId = provider === 'whatsapp' ? waId() : graphId();
		const tenant = await hub.createTenant({ externalAccount: { provider, externalId: accountId } });
		const text = `Bonjour, c'est combien ? ${graphId()}`;

		const result = await runPipeline(payloadFor(accountId, contactId, text));

		expect(result.error).toBeUndefined();
		const [completion] = completionsMentioning(text);
		expect(sentTo(accountId)).toEqual([expect.objectContaining({ api, recipient: contactId, text: completion!.reply })]);
		expect(await interactionsOf(tenant.apiKey.key)).toEqual([expect.objectContaining({ status: 'replied' })]);
	});

	it('does not answer the same message twice when Meta delivers it again', async () => {
		const { pageId, key } = await messengerTenant();
		const payload = messengerMessage({ accountId: pageId, text: 'Je voudrais un devis' });

		await runPipeline(payload);
		const modelCalls = openai.completions.length;
		const redelivery = await runPipeline(payload);

		expect(redelivery.error).toBeUndefined();
		// Decided duplicate before the model: no model call, nothing sent, nothing recorded twice.
		expect(openai.completions).toHaveLength(modelCalls);
		expect(redelivery.executedNodes).toEqual(['From an entry workflow', 'Decide']);
		expect(sentTo(pageId)).toHaveLength(1);
		const interactions = await interactionsOf(key);
		expect(interactions).toHaveLength(1);
		expect(interactions[0]!.status).toBe('replied');
	});

	it('answers every contact of a batched delivery, and one contact\'s burst with one reply that reads all of it', async () => {
		const { pageId, key } = await messengerTenant('premium');
		const [lea, hugo] = [graphId(), graphId()];
		const at = new Date();

		const result = await runPipeline(
			batch(
				messengerMessage({ accountId: pageId, senderId: lea, text: 'Bonjour', at }),
				messengerMessage({ accountId: pageId, senderId: hugo, text: 'Salut', at }),
				messengerMessage({ accountId: pageId, senderId: lea, text: 'Vous êtes là ?', at: new Date(at.getTime() + 1000) }),
			),
		);

		expect(result.error).toBeUndefined();
		expect(sentTo(pageId).map((message) => message.recipient).sort()).toEqual([lea, hugo].sort());
		const interactions = await interactionsOf(key);
		expect(interactions.map((interaction) => interaction.status).sort()).toEqual(['replied', 'replied', 'skipped']);
		expect(interactions.find((interaction) => interaction.status === 'skipped')?.reason).toBe('burst_merged');
		// Lea's reply was written reading both of her messages.
		const [leaReply] = completionsMentioning('Vous êtes là ?');
		expect(leaReply!.request.messages.map((message) => message.content)).toEqual(expect.arrayContaining(['Bonjour', 'Vous êtes là ?']));
	});

	it('sends nothing and logs quota_exceeded once the daily quota is used up', async () => {
		const { pageId, key } = await messengerTenant('freemium');
		for (let used = 0; used < 10; used++) {
			const consumed = await hub.request('/api/quotas/consume', {
				key,
				body: { messageId: `earlier-${used}-${graphId()}`, conversationId: `messenger:${pageId}:earlier` },
			});
			expect(consumed.body.allowed).toBe(true);
		}
		const text = `Encore une question ${graphId()}`;

		const result = await runPipeline(messengerMessage({ accountId: pageId, text }));

		expect(result.error).toBeUndefined();
		expect(sentTo(pageId)).toEqual([]);
		expect(completionsMentioning(text)).toEqual([]);
		expect(await interactionsOf(key)).toEqual([expect.objectContaining({ status: 'quota_exceeded', reason: 'daily_dm_quota' })]);
	});

	it('logs the failure with Graph\'s error and keeps the AI reply when the send fails', async () => {
		const { pageId, key } = await messengerTenant();
		const text = `Quels sont vos horaires ? ${graphId()}`;
		graph.failNextSends(1, { status: 500, message: 'An unexpected error has occurred. Please retry your request later.' });

		const result = await runPipeline(messengerMessage({ accountId: pageId, text }));

		expect(result.error).toBeUndefined();
		expect(sentTo(pageId)).toEqual([]);
		const [interaction] = await interactionsOf(key);
		expect(interaction).toMatchObject({ status: 'failed', reason: 'send_failed' });
		expect(interaction!.error!.message).toContain('An unexpected error has occurred');
		expect(interaction!.reply?.text).toBe(completionsMentioning(text)[0]!.reply);
	});

	it('answers a photo without caption with nothing: no AI call, no quota, recorded as skipped empty_message', async () => {
		const { pageId, key } = await messengerTenant();
		const aiCalls = openai.requests.length;

		const result = await runPipeline(
			messengerMessage({ accountId: pageId, text: undefined, attachments: [{ type: 'image', payload: { url: 'https://cdn.example/photo.jpg' } }] }),
		);

		expect(result.error).toBeUndefined();
		expect(openai.requests).toHaveLength(aiCalls);
		expect(result.executedNodes).toEqual(['From an entry workflow', 'Decide']);
		expect(sentTo(pageId)).toEqual([]);
		expect(await interactionsOf(key)).toEqual([expect.objectContaining({ status: 'skipped', reason: 'empty_message' })]);
		expect((await hub.request('/api/billing/usage', { key })).body.used).toBe(0);
	});

	it('logs ai_failed and sends nothing when the AI provider keeps failing, after its retries', async () => {
		const { pageId, key } = await messengerTenant();
		// Write reply's default Max Retries is 2: three answers of 500 exhaust it.
		openai.failNext(3, { status: 500 });
		const callsBefore = openai.requests.length;

		const result = await runPipeline(messengerMessage({ accountId: pageId, text: 'Bonjour ?' }));

		expect(result.error).toBeUndefined();
		expect(openai.requests.length - callsBefore).toBe(3);
		expect(sentTo(pageId)).toEqual([]);
		expect(await interactionsOf(key)).toEqual([expect.objectContaining({ status: 'failed', reason: 'ai_failed' })]);
	});

	it("answers the DM when the model is rate limited once, retrying as its Retry-After says", async () => {
		const { pageId, key } = await messengerTenant();
		openai.failNext(1, { status: 429, message: 'Rate limit reached for gpt-4o-mini', code: 'rate_limit_exceeded', retryAfterMs: 30 });
		const callsBefore = openai.requests.length;

		await runPipeline(messengerMessage({ accountId: pageId, text: 'Bonjour, vous livrez ?' }));

		const calls = openai.requests.slice(callsBefore);
		expect(calls.map((call) => call.status)).toEqual([429, 200]);
		expect(sentTo(pageId)).toHaveLength(1);
		expect(await interactionsOf(key)).toEqual([expect.objectContaining({ status: 'replied' })]);
	});

	it('logs a message to a switched-off agent as skipped and answers nothing: no quota, no AI, no send (v1.2.0)', async () => {
		const { pageId, key, accountId, agentId } = await messengerTenant();
		const off = await hub.request(`/api/agents/${agentId}/toggle`, { key, method: 'PUT' });
		expect(off.body.agent.status).toBe('INACTIVE');
		const text = `Vous êtes ouverts ? ${graphId()}`;

		const result = await runPipeline(messengerMessage({ accountId: pageId, text }));

		expect(result.error).toBeUndefined();
		expect(result.executedNodes).not.toContain('Check plan');
		expect(completionsMentioning(text)).toEqual([]);
		expect(sentTo(pageId)).toEqual([]);
		expect(await interactionsOf(key)).toEqual([expect.objectContaining({ status: 'skipped', reason: 'agent_inactive' })]);
		expect((await hub.request('/api/billing/usage', { key })).body.used).toBe(0);
		expect(await executionsOf(accountId)).toEqual([expect.objectContaining({ status: 'skipped', reason: 'agent_inactive' })]);
	});

	it('stops read receipts at the first step: no quota, no AI, no send, nothing logged', async () => {
		const { pageId, key } = await messengerTenant();
		const calls = { ai: openai.requests.length, hub: (await interactionsOf(key)).length };

		const result = await runPipeline(messengerRead({ pageId }));

		expect(result.error).toBeUndefined();
		expect(result.executedNodes).not.toContain('Route to tenant');
		expect(openai.requests).toHaveLength(calls.ai);
		expect(sentTo(pageId)).toEqual([]);
		expect(await interactionsOf(key)).toHaveLength(calls.hub);
	});
});

describe('outcome records (v2.0.0: one signed request per message)', () => {
	it('reports a replied DM as success with latency, tokens, cost, conversation and contact', async () => {
		const { pageId, accountId } = await messengerTenant();
		const senderId = graphId();
		const payload = messengerMessage({ accountId: pageId, senderId, text: `Un devis ? ${graphId()}` });
		const [message] = triggerItemsFor(payload);

		const result = await runPipeline(payload);

		expect(result.error).toBeUndefined();
		expect(result.executedNodes).toEqual(['From an entry workflow', 'Decide', 'Write reply', 'Confirm', 'By provider', 'Send Meta reply', 'Record outcome']);
		const [report, ...others] = await executionsOf(accountId);
		expect(others).toEqual([]);
		expect(report).toMatchObject({
			status: 'success',
			reason: null,
			n8n_execution_id: expect.any(String),
			message_id: message!.messageId,
			conversation_id: message!.conversationId,
			contact_id: senderId,
			model: 'gpt-4o-mini',
			error_message: null,
		});
		expect(report!.latency_ms).toEqual(expect.any(Number));
		expect(report!.prompt_tokens).toBeGreaterThan(0);
		expect(report!.completion_tokens).toBeGreaterThan(0);
		expect(report!.cost_usd).toBeGreaterThan(0);
		// What the item carries afterwards: the hub's ids of the recorded interaction and report.
		expect(result.outputsOf('Record outcome')[0]).toMatchObject({
			outcome: { interactionId: expect.any(String), executionId: expect.any(String), status: 'replied', duplicate: false },
		});
	});

	it('reports every message of a batched delivery under one n8n execution id', async () => {
		const { pageId, accountId } = await messengerTenant('premium');
		const [lea, hugo] = [graphId(), graphId()];
		const at = new Date();

		await runPipeline(
			batch(
				messengerMessage({ accountId: pageId, senderId: lea, text: 'Bonjour', at }),
				messengerMessage({ accountId: pageId, senderId: hugo, text: 'Salut', at }),
				messengerMessage({ accountId: pageId, senderId: lea, text: 'Vous êtes là ?', at: new Date(at.getTime() + 1000) }),
			),
		);

		const reports = await executionsOf(accountId);
		expect(reports.map((report) => report.status).sort()).toEqual(['skipped', 'success', 'success']);
		expect(reports.find((report) => report.status === 'skipped')?.reason).toBe('burst_merged');
		expect(new Set(reports.map((report) => report.n8n_execution_id)).size).toBe(1);
	});

	it('reports an AI failure as error and a used-up quota as skipped', async () => {
		const failing = await messengerTenant();
		openai.failNext(3, { status: 500 });
		await runPipeline(messengerMessage({ accountId: failing.pageId, text: 'Bonjour ?' }));
		const [failure] = await executionsOf(failing.accountId);
		expect(failure).toMatchObject({ status: 'error', reason: 'ai_failed', error_message: expect.any(String) });

		const capped = await messengerTenant('freemium');
		for (let used = 0; used < 10; used++) {
			await hub.request('/api/quotas/consume', {
				key: capped.key,
				body: { messageId: `earlier-${used}-${graphId()}`, conversationId: `messenger:${capped.pageId}:earlier` },
			});
		}
		await runPipeline(messengerMessage({ accountId: capped.pageId, text: 'Encore ?' }));
		expect(await executionsOf(capped.accountId)).toEqual([
			expect.objectContaining({ status: 'skipped', reason: 'daily_dm_quota', prompt_tokens: 0, cost_usd: 0 }),
		]);
	});

	it('answers nothing without the webhook secret, and the error says what to set', async () => {
		const { pageId, key } = await messengerTenant();
		const withoutSecret = credentials();
		withoutSecret.skyBotHubApi = { baseUrl: hub.url, apiKey: hub.platformKey, webhookSecret: '' };

		const result = await runWorkflow({
			workflowJson: pipeline,
			triggerItems: triggerItemsFor(messengerMessage({ accountId: pageId, text: 'Bonjour' })),
			credentials: withoutSecret,
		});

		// Decide is signed: the execution fails (n8n keeps it for a retry) before any model call or send.
		expect(result.error?.message).toBe('The SkyBot Hub API credential has no Webhook Secret');
		expect(sentTo(pageId)).toEqual([]);
		expect(await interactionsOf(key)).toEqual([]);
	});
});

describe("the agent's scenario (v2.0.0)", () => {
	async function saveScenario(key: string, agentId: string, scenario: object) {
		const saved = await hub.request(`/api/agents/${agentId}/scenario`, { method: 'PUT', key, body: { scenario } });
		expect(saved.body).toMatchObject({ version: 1 });
	}

	it('qualifies the prospect in the same model call (ai_qualify): the reply is sent, the lead gets its temperature and phone', async () => {
		const { pageId, key, agentId } = await messengerTenant('premium');
		await saveScenario(key, agentId, { rules: [{ id: 'book', when: { keywords: ['réserver'] }, then: { type: 'ai_qualify' } }] });
		const senderId = graphId();
		openai.replyWith(() =>
			JSON.stringify({ reply: 'Avec plaisir, je vous rappelle.', temperature: 'HOT', reason: 'Veut réserver', phone: '+33 6 12 34 56 78' }),
		);
		try {
			const result = await runPipeline(
				messengerMessage({ accountId: pageId, senderId, text: 'Je voudrais réserver, appelez-moi au 06 12 34 56 78' }),
			);
			expect(result.error).toBeUndefined();
		} finally {
			openai.replyWith(defaultReply);
		}
		const [completion] = completionsMentioning('Je voudrais réserver');
		expect(completion!.request.response_format).toEqual({ type: 'json_object' });
		expect(sentTo(pageId)).toEqual([expect.objectContaining({ recipient: senderId, text: 'Avec plaisir, je vous rappelle.' })]);
		const leads = (await hub.request('/api/leads', { key })).body.leads;
		expect(leads).toEqual([
			expect.objectContaining({ temperature: 'hot', contact: expect.objectContaining({ externalId: senderId, phone: '+33612345678' }) }),
		]);
	});

	it('a malformed qualification fails the message as ai_failed: nothing sent, nothing guessed into a lead', async () => {
		const { pageId, key, agentId } = await messengerTenant('premium');
		await saveScenario(key, agentId, { rules: [{ id: 'all-dms', when: { kinds: ['dm'] }, then: { type: 'ai_qualify' } }] });
		openai.replyWith(() => 'Bien sûr !');
		try {
			await runPipeline(messengerMessage({ accountId: pageId, text: 'Bonjour' }));
		} finally {
			openai.replyWith(defaultReply);
		}
		expect(sentTo(pageId)).toEqual([]);
		expect(await interactionsOf(key)).toEqual([expect.objectContaining({ status: 'failed', reason: 'ai_failed' })]);
		expect((await hub.request('/api/leads', { key })).body.leads).toEqual([]);
		expect((await hub.request('/api/billing/usage', { key })).body.used).toBe(0);
	});
});

describe('answer cache (v2.0.0)', () => {
	it('answers the same first question of another contact from the cache: no model call, the cost counted as saved', async () => {
		const { pageId, key, agentId } = await messengerTenant('premium');
		const question = `Quels sont vos horaires ? ${graphId()}`;
		await runPipeline(messengerMessage({ accountId: pageId, text: question }));
		const calls = openai.completions.length;

		const result = await runPipeline(messengerMessage({ accountId: pageId, text: question }));

		expect(result.error).toBeUndefined();
		expect(openai.completions).toHaveLength(calls);
		const sent = sentTo(pageId);
		expect(sent).toHaveLength(2);
		expect(sent[1]!.text).toBe(sent[0]!.text);
		const stats = (await hub.request(`/api/agents/${agentId}/stats`, { key })).body;
		expect(JSON.stringify(stats)).toContain('"cacheHits":1');
	});
});

describe('human handover (v2.0.0)', () => {
	it('a person taking the conversation over while the model writes: no AI message goes out', async () => {
		const { pageId, key } = await messengerTenant('premium');
		const senderId = graphId();
		// The conversation exists in the hub (an earlier message, left for outside the messaging window).
		await runPipeline(messengerMessage({ accountId: pageId, senderId, text: 'Bonjour', at: new Date(Date.now() - 30 * 3_600_000) }));
		const [conversation] = (await hub.request('/api/conversations', { key })).body.conversations;
		// The model answers only once the person has taken the conversation over.
		openai.replyWith(async (request) => {
			const taken = await hub.request(`/api/conversations/${conversation.id}/handover`, { method: 'POST', key });
			expect(taken.status).toBe(200);
			return defaultReply(request);
		});
		const result = await runPipeline(messengerMessage({ accountId: pageId, senderId, text: 'Un rendez-vous samedi ?' })).finally(
			() => openai.replyWith(defaultReply),
		);

		expect(result.error).toBeUndefined();
		expect(result.executedNodes).toEqual(['From an entry workflow', 'Decide', 'Write reply', 'Confirm']);
		expect(sentTo(pageId)).toEqual([]);
		const interactions = await interactionsOf(key);
		expect(interactions.map((row) => [row.status, row.reason])).toEqual(
			expect.arrayContaining([['skipped', 'human_handling']]),
		);
		expect((await hub.request('/api/billing/usage', { key })).body.used).toBe(0);
		// And the next message waits for the person without asking the model.
		const calls = openai.completions.length;
		await runPipeline(messengerMessage({ accountId: pageId, senderId, text: 'Allô ?' }));
		expect(openai.completions).toHaveLength(calls);
	});

	it("the model's escalation hands the conversation to a person instead of sending", async () => {
		const { pageId, key } = await messengerTenant('premium');
		openai.replyWith(() => 'HANDOVER');
		try {
			const result = await runPipeline(messengerMessage({ accountId: pageId, text: 'Je veux parler à quelqu\'un' }));
			expect(result.error).toBeUndefined();
			expect(sentTo(pageId)).toEqual([]);
		} finally {
			openai.replyWith(defaultReply);
		}
		expect(await interactionsOf(key)).toEqual([expect.objectContaining({ status: 'skipped', reason: 'ai_escalated' })]);
		const [conversation] = (await hub.request('/api/conversations', { key })).body.conversations;
		expect(conversation.handler).toBe('human');
	});
});
