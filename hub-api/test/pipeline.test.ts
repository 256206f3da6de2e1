import { randomBytes, randomUUID } from 'node:crypto';
import type {
	AdmissionAnswer,
	AdmissionRequest,
	AdmissionSkip,
	ConfirmationRequest,
	RecordOutcomeRequest,
} from '../../contracts/hub-api';
import type { InboundMessage } from '../../contracts/inbound-message';
import { ESCALATION_MARKER } from '../../contracts/reply-prompt';
import { signatureHeader } from '../src/modules/executions/signature';
import { closedPort, createTestDatabase, startTestHub, TEST_WEBHOOK_SECRET, type TestHub } from './support';
import { expectDocumented } from './support/documented';

let hub: TestHub;
/** A replica of `hub` (same database and REDIS_NAMESPACE) whose agents have a burst window of one second. */
let burstHub: TestHub;
let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
	database = await createTestDatabase();
	const namespace = `skybot-test-pipeline-${randomBytes(6).toString('hex')}`;
	hub = await startTestHub({ database, loginThrottlePrefix: namespace });
	burstHub = await startTestHub({ database, loginThrottlePrefix: namespace, pipeline: { burstWindowSeconds: 1 } });
});
afterAll(async () => {
	await burstHub?.close();
	await hub?.close();
	await database?.drop();
});

type Tenant = Awaited<ReturnType<TestHub['createTenant']>> & { externalId: string };

async function tenant(plan: 'freemium' | 'premium' | 'ultra' = 'premium'): Promise<Tenant> {
	const externalId = `1784${Math.floor(Math.random() * 1e12)}`;
	const created = await hub.createTenant({ plan, externalAccount: { provider: 'instagram', externalId } });
	return { ...created, externalId };
}

function dm(t: Tenant, overrides: Partial<InboundMessage> = {}): InboundMessage {
	return {
		provider: 'instagram',
		kind: 'dm',
		messageId: `mid.${randomUUID()}`,
		accountExternalId: t.externalId,
		conversationId: `instagram:${t.externalId}:igsid-${randomUUID()}`,
		contact: { externalId: 'igsid-42', name: 'Lea' },
		text: 'Bonjour, quel est le prix ?',
		timestamp: new Date().toISOString(),
		...overrides,
	};
}

const timing = () => ({ executionId: `${Math.floor(Math.random() * 1e9)}`, workflowId: 'wf-pipeline', startedAt: new Date().toISOString() });

function post(path: string, body: unknown, options: { on?: TestHub; header?: string | null; raw?: string } = {}) {
	const rawBody = options.raw ?? JSON.stringify(body);
	const header =
		options.header === undefined ? signatureHeader(TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000), rawBody) : options.header;
	return (options.on ?? hub).request(path, {
		method: 'POST',
		rawBody,
		headers: header === null ? {} : { 'x-skybot-signature': header },
	});
}

const admit = (message: InboundMessage, on = hub) =>
	post('/api/webhooks/n8n/admission', { message, ...timing() } satisfies AdmissionRequest, { on });
const confirm = (t: Tenant, message: InboundMessage, text: string) =>
	post('/api/webhooks/n8n/confirmation', {
		message,
		...timing(),
		accountId: t.account.id,
		agentId: t.agent.id,
		reply: { text, model: 'gpt-4o-mini', promptTokens: 100, completionTokens: 20, costUsd: 0.00003 },
	} satisfies ConfirmationRequest);

async function replied(t: Tenant, message: InboundMessage, text = 'Bonjour Lea, 40 € la séance.') {
	const outcome: RecordOutcomeRequest = {
		accountId: t.account.id,
		agentId: t.agent.id,
		...timing(),
		status: 'replied',
		message,
		reply: { text, model: 'gpt-4o-mini', externalId: `m_${randomUUID()}` },
	};
	const response = await post('/api/webhooks/n8n/outcome', outcome);
	expect(response.status).toBe(201);
}

const interactions = (accountId: string) =>
	hub.dataSource.query(
		'SELECT message_id, status, reason, inbound_text, reply_text FROM interactions WHERE account_id = $1 ORDER BY created_at',
		[accountId],
	) as Promise<{ message_id: string; status: string; reason: string | null; inbound_text: string | null; reply_text: string | null }[]>;

const usage = async (t: Tenant, on = hub) => (await on.request('/api/billing/usage', { key: t.apiKey.key })).body.used as number;

describe('POST /api/webhooks/n8n/admission', () => {
	it('answers a DM: the chat messages for the model, one quota unit consumed, nothing recorded yet', async () => {
		const t = await tenant();
		const message = dm(t);
		const response = await admit(message);
		expect(response.status).toBe(200);
		const answer = response.body as AdmissionAnswer;
		expect(answer).toMatchObject({
			decision: 'answer',
			route: { accountId: t.account.id, agentId: t.agent.id, plan: 'premium' },
			action: 'ai_reply',
			scenario: { ruleId: null, version: 0 },
			quota: { used: 1, limit: 100, remaining: 99 },
			burst: { messageIds: [] },
		});
		expect(answer.ai!.messages[0]!.role).toBe('system');
		expect(answer.ai!.messages[0]!.content).toContain(ESCALATION_MARKER);
		expect(answer.ai!.messages.at(-1)).toEqual({ role: 'user', content: message.text });
		expect(answer.ai!.promptTokens).toBeGreaterThan(10);
		expect(await interactions(t.account.id)).toEqual([]);
		expectDocumented(response, 'post', '/api/webhooks/n8n/admission');
	});

	it('a redelivery is a duplicate: not recorded, no second unit, and no model call asked for', async () => {
		const t = await tenant();
		const message = dm(t);
		expect((await admit(message)).body.decision).toBe('answer');
		const again = await Promise.all([admit(message), admit(message)]);
		for (const response of again) {
			expect(response.status).toBe(200);
			expect(response.body).toEqual({ decision: 'skip', reason: 'duplicate', route: expect.any(Object), interactionId: null });
			expect(response.body.ai).toBeUndefined();
		}
		expect(await usage(t)).toBe(1);
	});

	it('concurrent first deliveries of one message: exactly one is answered', async () => {
		const t = await tenant();
		const message = dm(t);
		const answers = await Promise.all(Array.from({ length: 5 }, () => admit(message)));
		expect(answers.map((response) => response.body.decision).sort()).toEqual(['answer', 'skip', 'skip', 'skip', 'skip']);
		expect(await usage(t)).toBe(1);
	});

	it("answers a TikTok DM within TikTok's 48 h window, where Meta's 24 h would have refused it", async () => {
		const businessId = `-000${randomUUID().slice(0, 8)}`;
		const created = await hub.createTenant({ externalAccount: { provider: 'tiktok', externalId: businessId } });
		const t = { ...created, externalId: businessId };
		const tiktokDm = (hoursAgo: number) =>
			dm(t, {
				provider: 'tiktok',
				conversationId: `tiktok:${businessId}:${randomUUID()}`,
				contact: { externalId: '-000user' },
				timestamp: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
			});
		expect((await admit(tiktokDm(30))).body.decision).not.toBe('skip');
		expect((await admit(tiktokDm(49))).body).toMatchObject({ decision: 'skip', reason: 'outside_messaging_window' });
	});

	it('tells the model a TikTok comment reply holds 150 characters (and tells nothing of the kind for a DM)', async () => {
		const businessId = `-000${randomUUID().slice(0, 8)}`;
		const created = await hub.createTenant({ externalAccount: { provider: 'tiktok', externalId: businessId } });
		const scenario = await hub.request(`/api/agents/${created.agent.id}/scenario`, {
			method: 'PUT',
			key: created.apiKey.key,
			body: {
				scenario: {
					burstWindowSeconds: 0,
					defaultActions: { dm: { type: 'ai_reply' }, comment: { type: 'ai_reply' }, postback: { type: 'ai_reply' } },
				},
			},
		});
		expect(scenario.status).toBe(200);
		const t = { ...created, externalId: businessId };
		const base = { provider: 'tiktok' as const, contact: { externalId: '-000user' } };
		const comment = await admit(dm(t, { ...base, kind: 'comment', conversationId: `tiktok:${businessId}:${randomUUID()}`, comment: { postId: '7312345678901234567' } }));
		const systemOf = (response: typeof comment) => (response.body as AdmissionAnswer).ai!.messages[0]!.content;
		expect(systemOf(comment)).toContain('at most 150 characters');
		const direct = await admit(dm(t, { ...base, conversationId: `tiktok:${businessId}:${randomUUID()}` }));
		expect(systemOf(direct)).not.toContain('150 characters');
	});

	it('echoes and receipts are not answerable and not recorded; an unknown provider account is 404', async () => {
		const t = await tenant();
		for (const message of [dm(t, { isEcho: true }), dm(t, { kind: 'read' }), dm(t, { kind: 'status' })]) {
			expect((await admit(message)).body).toEqual({ decision: 'skip', reason: 'not_answerable', route: null, interactionId: null });
		}
		expect(await interactions(t.account.id)).toEqual([]);
		const unknown = await admit(dm(t, { accountExternalId: 'no-such-page' }));
		expect(unknown.status).toBe(404);
		expect(unknown.body.error.code).toBe('route_not_found');
	});

	it('records each skip as the outcome, consuming nothing: outside the window, a person handling it, nothing to read', async () => {
		const t = await tenant();
		const old = dm(t, { timestamp: new Date(Date.now() - 25 * 3_600_000).toISOString() });
		expect((await admit(old)).body).toMatchObject({ decision: 'skip', reason: 'outside_messaging_window', interactionId: expect.any(String) });

		const image = dm(t, { text: undefined, attachments: [{ type: 'image', url: 'https://cdn.example/x.jpg' }] });
		expect((await admit(image)).body).toMatchObject({ decision: 'skip', reason: 'empty_message' });

		const first = dm(t);
		await replied(t, first);
		const [conversation] = (await hub.request('/api/conversations', { key: t.apiKey.key })).body.conversations;
		expect((await hub.request(`/api/conversations/${conversation.id}/handover`, { method: 'POST', key: t.apiKey.key })).status).toBe(200);
		const handled = dm(t, { conversationId: first.conversationId });
		expect((await admit(handled)).body).toMatchObject({ decision: 'skip', reason: 'human_handling' });

		const rows = await interactions(t.account.id);
		expect(rows.map((row) => [row.status, row.reason])).toEqual([
			['skipped', 'outside_messaging_window'],
			['skipped', 'empty_message'],
			['replied', null],
			['skipped', 'human_handling'],
		]);
		expect(await usage(t)).toBe(0);
		const executions = await hub.dataSource.query('SELECT status, reason FROM executions WHERE account_id = $1', [t.account.id]);
		expect(executions).toEqual(expect.arrayContaining([{ status: 'skipped', reason: 'human_handling' }]));
	});

	it('anti-flood counts replies sent, not messages seen: a message before the reply went out is answered, one after it is not', async () => {
		const t = await tenant();
		const conversationId = `instagram:${t.externalId}:igsid-flood`;
		const first = dm(t, { conversationId });
		expect((await admit(first)).body.decision).toBe('answer');
		// Before the reply went out, a second message is not flooding: nothing was sent yet.
		const beforeReply = dm(t, { conversationId });
		expect((await admit(beforeReply)).body.decision).toBe('answer');
		await replied(t, first);
		const afterReply = dm(t, { conversationId });
		expect((await admit(afterReply)).body).toMatchObject({ decision: 'skip', reason: 'anti_flood' });
		expect(await usage(t)).toBe(2);
	});

	it('over the daily quota: recorded quota_exceeded, the counter stays at the limit', async () => {
		const t = await tenant('freemium');
		const answers = [];
		for (let i = 0; i < 11; i++) answers.push((await admit(dm(t))).body);
		expect(answers.slice(0, 10).every((answer) => answer.decision === 'answer')).toBe(true);
		expect(answers[10]).toMatchObject({ decision: 'skip', reason: 'daily_dm_quota' });
		expect((await interactions(t.account.id)).map((row) => row.status)).toEqual(['quota_exceeded']);
		expect(await usage(t)).toBe(10);
	});

	it('a burst gets one reply: the earlier messages are recorded burst_merged and read by the last one', async () => {
		const t = await tenant();
		const conversationId = `instagram:${t.externalId}:igsid-burst`;
		const texts = ['Bonjour', 'je voudrais un rendez-vous', 'samedi matin ?'];
		const messages = texts.map((text) => dm(t, { conversationId, text }));
		const pending = [];
		for (const message of messages) {
			pending.push(admit(message, burstHub));
			await new Promise((resolve) => setTimeout(resolve, 150));
		}
		const answers = (await Promise.all(pending)).map((response) => response.body);
		expect(answers.slice(0, 2)).toEqual([
			expect.objectContaining({ decision: 'skip', reason: 'burst_merged' }),
			expect.objectContaining({ decision: 'skip', reason: 'burst_merged' }),
		]);
		const last = answers[2] as AdmissionAnswer;
		expect(last.decision).toBe('answer');
		expect(last.burst.messageIds).toEqual([messages[0]!.messageId, messages[1]!.messageId]);
		expect(last.ai!.messages.slice(1).map((m) => m.content)).toEqual(texts);
		expect(await usage(t)).toBe(1);
		// A message after the burst starts a new one, answered on its own.
		const later = (await admit(dm(t, { conversationId, text: 'merci' }), burstHub)).body as AdmissionAnswer;
		expect(later).toMatchObject({ decision: 'answer', burst: { messageIds: [] } });
	});

	it('refuses a bad signature (401) and a malformed message (422 listing the problems); no unit consumed', async () => {
		const t = await tenant();
		const message = dm(t);
		const unsigned = await post('/api/webhooks/n8n/admission', { message, ...timing() }, { header: null });
		expect(unsigned.status).toBe(401);
		const forged = await post('/api/webhooks/n8n/admission', { message, ...timing() }, { header: 't=1,v1=00' });
		expect(forged.status).toBe(401);
		const notJson = await post('/api/webhooks/n8n/admission', null, { raw: '{"message": ' });
		expect(notJson.status).toBe(400);
		const malformed = await post('/api/webhooks/n8n/admission', { message: { ...message, kind: 'tweet', messageId: '' }, startedAt: 'yesterday' });
		expect(malformed.status).toBe(422);
		const fields = (malformed.body.error.details as { path: string }[]).map((detail) => detail.path);
		expect(fields).toEqual(expect.arrayContaining(['body.message.kind', 'body.message.messageId', 'body.startedAt', 'body.executionId']));
		expect(await usage(t)).toBe(0);
	});
});

describe('the admission over the AI rate limit', () => {
	it('records a message that gets no model-request permit in time as failed/ai_rate_limited, consuming nothing', async () => {
		const limited = await startTestHub({ database, aiRequestsPerMinute: { premium: 1 } });
		try {
			const t = await tenant();
			expect((await admit(dm(t), limited)).body.decision).toBe('answer');
			// The minute's one permit is spent and the next frees up in ~60 s, beyond the 10 s a message may wait.
			const refused = dm(t);
			expect((await admit(refused, limited)).body).toMatchObject({ decision: 'skip', reason: 'ai_rate_limited' });
			expect((await interactions(t.account.id)).map((row) => [row.message_id, row.status, row.reason])).toEqual([
				[refused.messageId, 'failed', 'ai_rate_limited'],
			]);
			// Only the answered message consumed its unit.
			expect(await usage(t, limited)).toBe(1);
		} finally {
			await limited.close();
		}
	});
});

describe('the admission with Redis down', () => {
	it('answers 503 having decided nothing: nothing recorded, nothing consumed, so a retry decides it afresh', async () => {
		const t = await tenant();
		const down = await startTestHub({ database, redisUrl: `redis://127.0.0.1:${await closedPort()}` });
		try {
			const message = dm(t);
			const response = await admit(message, down);
			expect(response.status).toBe(503);
			expect(response.body.error.code).toBe('pipeline_store_unavailable');
			expect(await interactions(t.account.id)).toEqual([]);
			// Redis back (the other hub's): the same message is answered, its unit consumed once.
			expect((await admit(message)).body.decision).toBe('answer');
			expect(await usage(t)).toBe(1);
		} finally {
			await down.close();
		}
	});
});

describe('POST /api/webhooks/n8n/confirmation', () => {
	async function admitted(t: Tenant) {
		const message = dm(t);
		expect((await admit(message)).body.decision).toBe('answer');
		return message;
	}

	it('lets a reply go when the AI still handles the conversation', async () => {
		const t = await tenant();
		const response = await confirm(t, await admitted(t), 'Bonjour Lea !');
		expect(response.status).toBe(200);
		expect(response.body).toEqual({ decision: 'send' });
		expectDocumented(response, 'post', '/api/webhooks/n8n/confirmation');
		expect(await usage(t)).toBe(1);
	});

	it('a person took over while the model was writing: not sent, recorded with the text kept, unit given back', async () => {
		const t = await tenant();
		// The conversation has a row once a message of it was recorded (here one left for outside the window).
		const earlier = dm(t, { timestamp: new Date(Date.now() - 30 * 3_600_000).toISOString() });
		expect((await admit(earlier)).body.reason).toBe('outside_messaging_window');
		const message = dm(t, { conversationId: earlier.conversationId });
		expect((await admit(message)).body.decision).toBe('answer');
		// While the model writes, a person takes the conversation over in the inbox.
		const [conversation] = (await hub.request('/api/conversations', { key: t.apiKey.key })).body.conversations;
		expect((await hub.request(`/api/conversations/${conversation.id}/handover`, { method: 'POST', key: t.apiKey.key })).status).toBe(200);
		const response = await confirm(t, message, 'Bonjour !');
		expect(response.body).toMatchObject({ decision: 'skip', reason: 'human_handling', quotaRefunded: true });
		const row = (await interactions(t.account.id)).find((r) => r.message_id === message.messageId)!;
		expect(row).toMatchObject({ status: 'skipped', reason: 'human_handling', reply_text: 'Bonjour !' });
		expect(await usage(t)).toBe(0);
	});

	it("the model's escalation hands the conversation to a person; an empty reply is not sent; both give the unit back", async () => {
		const t = await tenant();
		const escalated = await admitted(t);
		const response = await confirm(t, escalated, ` ${ESCALATION_MARKER} `);
		expect(response.body).toMatchObject({ decision: 'skip', reason: 'ai_escalated', quotaRefunded: true });
		const handler = await hub.request(
			`/api/conversations/handler?provider=instagram&conversationId=${encodeURIComponent(escalated.conversationId)}`,
			{ key: t.apiKey.key },
		);
		expect(handler.body.handler).toBe('human');
		// The next message of that conversation waits for the person.
		const next = (await admit(dm(t, { conversationId: escalated.conversationId }))).body as AdmissionSkip;
		expect(next).toMatchObject({ decision: 'skip', reason: 'human_handling' });

		const empty = await confirm(t, await admitted(t), '   ');
		expect(empty.body).toMatchObject({ decision: 'skip', reason: 'empty_reply', quotaRefunded: true });
		expect(await usage(t)).toBe(0);
	});
});
