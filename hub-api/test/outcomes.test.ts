import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { RecordOutcomeRequest } from '../../contracts/hub-api';
import type { AgentExecutionEvent } from '../src/hub-events';
import { signatureHeader } from '../src/modules/executions/signature';
import { startTestHub, TEST_WEBHOOK_SECRET, type TestHub } from './support';
import { expectDocumented } from './support/documented';

let hub: TestHub;
const sockets: Socket[] = [];

beforeAll(async () => {
	hub = await startTestHub();
});
afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await hub?.close();
});

const PATH = '/api/webhooks/n8n/outcome';
type Tenant = { account: { id: string }; agent: { id: string } };

function outcome(tenant: Tenant, overrides: Partial<RecordOutcomeRequest> = {}): RecordOutcomeRequest {
	return {
		accountId: tenant.account.id,
		agentId: tenant.agent.id,
		executionId: `${Math.floor(Math.random() * 1e9)}`,
		workflowId: 'wf-pipeline',
		startedAt: '2026-03-10T08:59:58.500Z',
		latencyMs: 1500,
		status: 'replied',
		message: {
			provider: 'instagram',
			kind: 'dm',
			messageId: `mid.${randomUUID()}`,
			accountExternalId: '17841400000000001',
			conversationId: `instagram:1784:${randomUUID()}`,
			contact: { externalId: 'igsid-42', name: 'Lea' },
			text: 'Bonjour, quel est le prix ?',
			timestamp: '2026-03-10T08:59:58.000Z',
		},
		reply: {
			text: 'Bonjour Lea !',
			model: 'gpt-4o-mini',
			promptTokens: 120,
			completionTokens: 30,
			costUsd: 0.000036,
			externalId: 'm_reply-1',
		},
		...overrides,
	};
}

/** POSTs the exact bytes signed (or with the given header; null sends none). */
function send(body: unknown, options: { header?: string | null; raw?: string } = {}) {
	const rawBody = options.raw ?? JSON.stringify(body);
	const header =
		options.header === undefined
			? signatureHeader(TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000), rawBody)
			: options.header;
	return hub.request(PATH, { method: 'POST', rawBody, headers: header === null ? {} : { 'x-skybot-signature': header } });
}

const rows = (table: 'interactions' | 'executions' | 'agent_logs' | 'conversations', accountId: string) =>
	hub.dataSource.query(`SELECT * FROM ${table} WHERE account_id = $1 ORDER BY created_at`, [accountId]) as Promise<
		Record<string, unknown>[]
	>;

async function storedCounts(accountId: string) {
	const [interactions, executions, logs] = await Promise.all(
		(['interactions', 'executions', 'agent_logs'] as const).map((table) => rows(table, accountId)),
	);
	return { interactions: interactions.length, executions: executions.length, logs: logs.length };
}

describe('POST /api/webhooks/n8n/outcome', () => {
	it('stores the interaction and the execution report together (201), as the two older routes do', async () => {
		const tenant = await hub.createTenant();
		const body = outcome(tenant);
		const response = await send(body);

		expect(response.status).toBe(201);
		expectDocumented(response, 'post', PATH);
		const [interaction] = await rows('interactions', tenant.account.id);
		const [execution] = await rows('executions', tenant.account.id);
		expect(response.body).toEqual({
			interactionId: interaction!.id,
			status: 'replied',
			reason: null,
			executionId: execution!.id,
			duplicate: false,
			quotaRefunded: false,
		});
		expect(interaction).toMatchObject({
			agent_id: tenant.agent.id,
			provider: 'instagram',
			message_id: body.message.messageId,
			status: 'replied',
			reply_text: 'Bonjour Lea !',
			reply_external_id: 'm_reply-1',
			prompt_tokens: 120,
		});
		expect(execution).toMatchObject({
			agent_id: tenant.agent.id,
			n8n_execution_id: body.executionId,
			message_key: body.message.messageId,
			status: 'success',
			latency_ms: 1500,
			model: 'gpt-4o-mini',
			prompt_tokens: 120,
			completion_tokens: 30,
			cost_usd: '0.000036',
			conversation_id: body.message.conversationId,
			contact_id: 'igsid-42',
		});
		// The conversation is made, and the interactions list shows the message, as after POST /api/interactions.
		expect(await rows('conversations', tenant.account.id)).toHaveLength(1);
		const listed = await hub.request('/api/interactions', { key: tenant.apiKey.key });
		expect(listed.body.interactions.map((row: { id: string }) => row.id)).toEqual([interaction!.id]);
	});

	it('writes the very rows Log Interaction and Report Execution write for the same message', async () => {
		const [viaOutcome, viaTwoRoutes] = [await hub.createTenant(), await hub.createTenant()];
		const failed = { status: 'failed' as const, reason: 'send_failed', error: { message: 'Graph 500', code: 'graph_api_error', httpStatus: 502 } };
		const body = outcome(viaOutcome, failed);
		expect((await send(body)).status).toBe(201);

		const { message, reply, error } = body;
		const logged = await hub.request('/api/interactions', {
			key: viaTwoRoutes.apiKey.key,
			body: { agentId: viaTwoRoutes.agent.id, status: 'failed', reason: 'send_failed', message, reply, error },
		});
		expect(logged.status).toBe(201);
		const report = {
			accountId: viaTwoRoutes.account.id,
			agentId: viaTwoRoutes.agent.id,
			executionId: body.executionId,
			workflowId: body.workflowId,
			status: 'error',
			startedAt: body.startedAt,
			latencyMs: body.latencyMs,
			model: reply!.model,
			promptTokens: reply!.promptTokens,
			completionTokens: reply!.completionTokens,
			costUsd: reply!.costUsd,
			provider: message.provider,
			messageId: message.messageId,
			conversationId: message.conversationId,
			contactId: message.contact.externalId,
			reason: 'send_failed',
			error: { message: 'Graph 500', code: 'graph_api_error' },
		};
		const raw = JSON.stringify(report);
		const reported = await hub.request('/api/webhooks/n8n/execution', {
			method: 'POST',
			rawBody: raw,
			headers: { 'x-skybot-signature': signatureHeader(TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000), raw) },
		});
		expect(reported.status).toBe(201);

		const ownOrTimed = ['id', 'account_id', 'agent_id', 'execution_id', 'created_at', 'updated_at', 'last_activity_at'];
		const comparable = (row: Record<string, unknown>) =>
			Object.fromEntries(Object.entries(row).filter(([column]) => !ownOrTimed.includes(column)));
		for (const table of ['interactions', 'executions', 'agent_logs', 'conversations'] as const) {
			const [mine, theirs] = [await rows(table, viaOutcome.account.id), await rows(table, viaTwoRoutes.account.id)];
			expect([table, mine.map(comparable)]).toEqual([table, theirs.map(comparable)]);
		}
		expect((await rows('agent_logs', viaOutcome.account.id))[0]).toMatchObject({ level: 'error', message: 'Graph 500' });
	});

	it('stores a repeated outcome once (200, duplicate) and publishes one agent:execution, also when the repeats race', async () => {
		const tenant = await hub.createTenant();
		const user = await hub.addUser(tenant.account.id, 'viewer');
		const socket = io(hub.url, { auth: { token: user.accessToken }, transports: ['websocket'], reconnection: false });
		sockets.push(socket);
		const received: AgentExecutionEvent[] = [];
		socket.on('agent:execution', (event: AgentExecutionEvent) => received.push(event));
		await new Promise<void>((resolve, reject) => {
			socket.on('connect', resolve);
			socket.on('connect_error', reject);
		});

		const raw = JSON.stringify(outcome(tenant));
		const responses = await Promise.all(Array.from({ length: 6 }, () => send(null, { raw })));
		const again = await send(null, { raw });

		expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
		for (const response of [...responses.filter((response) => response.status !== 201), again]) {
			expect(response.status).toBe(200);
			expectDocumented(response, 'post', PATH);
		}
		const created = responses.find((response) => response.status === 201)!.body;
		expect(again.body).toEqual({ ...created, duplicate: true });
		expect(await storedCounts(tenant.account.id)).toEqual({ interactions: 1, executions: 1, logs: 0 });
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(received.map((event) => event.id)).toEqual([created.executionId]);
	});

	it('keeps the reply when a redelivery skipped as a duplicate reports later: 200, nothing stored', async () => {
		const tenant = await hub.createTenant();
		const replied = outcome(tenant);
		const first = await send(replied);
		const redelivery = await send({ ...replied, executionId: 'exec-redelivery', status: 'skipped', reason: 'duplicate', reply: undefined });

		expect(redelivery.status).toBe(200);
		expect(redelivery.body).toEqual({
			interactionId: first.body.interactionId,
			status: 'replied',
			reason: null,
			executionId: null,
			duplicate: true,
			quotaRefunded: false,
		});
		expect(await storedCounts(tenant.account.id)).toEqual({ interactions: 1, executions: 1, logs: 0 });
	});

	it('records a failed message that a retry then answered (201): the reply replaces the failure', async () => {
		const tenant = await hub.createTenant();
		const replied = outcome(tenant);
		const failed = await send({ ...replied, status: 'failed', reason: 'ai_failed', reply: undefined, error: { message: 'AI 503' } });
		const retried = await send({ ...replied, executionId: 'exec-retry' });

		expect([failed.status, retried.status]).toEqual([201, 201]);
		expect(retried.body).toMatchObject({ interactionId: failed.body.interactionId, status: 'replied', duplicate: false });
		const executions = await rows('executions', tenant.account.id);
		expect(executions.map((row) => row.status)).toEqual(['error', 'success']);
		expect((await rows('interactions', tenant.account.id))[0]).toMatchObject({ status: 'replied', error_message: null });
	});

	it('stores the interaction alone for a message whose provider account has no agent (agentId null)', async () => {
		const tenant = await hub.createTenant();
		const response = await send(outcome(tenant, { agentId: null, status: 'skipped', reason: 'no_agent', reply: undefined }));

		expect(response.status).toBe(201);
		expectDocumented(response, 'post', PATH);
		expect(response.body).toMatchObject({ status: 'skipped', reason: 'no_agent', executionId: null });
		expect(await storedCounts(tenant.account.id)).toEqual({ interactions: 1, executions: 0, logs: 0 });
	});

	it.each([
		['an agent of another account', async () => ({ agentId: (await hub.createTenant()).agent.id }), 'agent'],
		['an unknown account without an agent', async () => ({ accountId: randomUUID(), agentId: null }), 'account'],
	])('refuses %s (404) and stores nothing', async (_case, override, what) => {
		const tenant = await hub.createTenant();
		const response = await send(outcome(tenant, await override()));
		expect(response.status).toBe(404);
		expect(response.body.error.message).toMatch(what);
		expect(await storedCounts(tenant.account.id)).toEqual({ interactions: 0, executions: 0, logs: 0 });
	});

	it.each([
		['no signature', { header: null }, 401, 'invalid_signature'],
		['a signature by another secret', { secret: 'another-secret-of-at-least-32-characters!' }, 401, 'invalid_signature'],
		['a signature of other bytes', { tamper: true }, 401, 'invalid_signature'],
		['a signature older than 5 minutes', { ageSeconds: 301 }, 401, 'invalid_signature'],
		['a body that is not JSON', { raw: '{"accountId":' }, 400, 'invalid_json'],
		['a malformed outcome', { body: { status: 'sent', message: { provider: 'x' } } }, 422, 'validation_failed'],
	])('refuses %s and stores nothing', async (_case, variant, status, code) => {
		const tenant = await hub.createTenant();
		const good = JSON.stringify(outcome(tenant));
		const v = variant as { header?: null; secret?: string; tamper?: boolean; ageSeconds?: number; raw?: string; body?: object };
		const raw = v.raw ?? (v.body ? JSON.stringify({ ...v.body, accountId: tenant.account.id }) : good);
		const signedAt = Math.floor(Date.now() / 1000) - (v.ageSeconds ?? 0);
		const header =
			v.header === null ? null : signatureHeader(v.secret ?? TEST_WEBHOOK_SECRET, signedAt, v.tamper ? `${raw} ` : raw);
		const response = await send(null, { raw, header });

		expect(response.status).toBe(status);
		expect(response.body.error.code).toBe(code);
		expectDocumented(response, 'post', PATH);
		expect(await storedCounts(tenant.account.id)).toEqual({ interactions: 0, executions: 0, logs: 0 });
	});

	it('names every problem of a malformed outcome', async () => {
		const tenant = await hub.createTenant();
		const response = await send({ ...outcome(tenant), status: 'sent', startedAt: 'yesterday', reply: { text: 'x', costUsd: 1_000_000 } });
		expect(response.status).toBe(422);
		const paths = (response.body.error.details as { path: string }[]).map((detail) => detail.path);
		expect(paths).toEqual(expect.arrayContaining(['body.status', 'body.startedAt', 'body.reply.costUsd']));
	});

	it('stores neither half when the transaction fails half-way (the execution insert)', async () => {
		const tenant = await hub.createTenant();
		await hub.dataSource.query(`
			CREATE OR REPLACE FUNCTION test_refuse_execution() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF NEW.n8n_execution_id = 'explode' THEN RAISE EXCEPTION 'refused by the test'; END IF;
				RETURN NEW;
			END $$`);
		await hub.dataSource.query(
			'CREATE TRIGGER test_refuse_execution BEFORE INSERT ON executions FOR EACH ROW EXECUTE FUNCTION test_refuse_execution()',
		);
		try {
			const body = outcome(tenant, { executionId: 'explode' });
			const response = await send(body);
			expect(response.status).toBe(500);
			expect(await storedCounts(tenant.account.id)).toEqual({ interactions: 0, executions: 0, logs: 0 });

			// The next attempt (another execution) stores both.
			expect((await send({ ...body, executionId: 'fine' })).status).toBe(201);
			expect(await storedCounts(tenant.account.id)).toEqual({ interactions: 1, executions: 1, logs: 0 });
		} finally {
			await hub.dataSource.query('DROP TRIGGER test_refuse_execution ON executions');
		}
	});
});

describe('POST /api/webhooks/n8n/outcome without SKYBOT_WEBHOOK_SECRET', () => {
	it('answers 503 webhook_not_configured', async () => {
		const bare = await startTestHub({ webhookSecret: null });
		try {
			const tenant = await bare.createTenant();
			const raw = JSON.stringify(outcome(tenant));
			const response = await bare.request(PATH, {
				method: 'POST',
				rawBody: raw,
				headers: { 'x-skybot-signature': signatureHeader(TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000), raw) },
			});
			expect(response.status).toBe(503);
			expect(response.body.error.code).toBe('webhook_not_configured');
		} finally {
			await bare.close();
		}
	});
});
