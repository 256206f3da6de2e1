import { randomUUID } from 'node:crypto';
import type { ExecutionReportRequest } from '../../contracts/hub-api';
import { signatureHeader } from '../src/modules/executions/signature';
import { createManualClock, startTestHub, TEST_WEBHOOK_SECRET, type TestHub } from './support';
import { expectDocumented } from './support/documented';

const clock = createManualClock('2026-03-10T09:00:00.000Z');
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now });
});
afterAll(() => hub?.close());

const PATH = '/api/webhooks/n8n/execution';
const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

function report(tenant: { account: { id: string }; agent: { id: string } }, overrides: Partial<ExecutionReportRequest> = {}) {
	return {
		accountId: tenant.account.id,
		agentId: tenant.agent.id,
		executionId: `${Math.floor(Math.random() * 1e9)}`,
		workflowId: 'wf-pipeline',
		status: 'success',
		startedAt: '2026-03-10T08:59:58.500Z',
		latencyMs: 1500,
		model: 'gpt-4o-mini',
		promptTokens: 120,
		completionTokens: 30,
		costUsd: 0.000036,
		provider: 'messenger',
		messageId: `mid.${randomUUID()}`,
		conversationId: `messenger:page:${randomUUID()}`,
		contactId: 'psid-42',
		...overrides,
	} satisfies ExecutionReportRequest;
}

/** POSTs the exact bytes with a signature over them (or the given header; null sends none). */
function send(rawBody: string, options: { secret?: string; at?: Date; header?: string | null } = {}) {
	const header =
		options.header === undefined
			? signatureHeader(options.secret ?? TEST_WEBHOOK_SECRET, unixSeconds(options.at ?? clock.now()), rawBody)
			: options.header;
	return hub.request(PATH, {
		method: 'POST',
		rawBody,
		headers: header === null ? {} : { 'x-skybot-signature': header },
	});
}

const executionsOf = (accountId: string) =>
	hub.dataSource.query('SELECT * FROM executions WHERE account_id = $1', [accountId]) as Promise<Record<string, unknown>[]>;
const logsOf = (accountId: string) =>
	hub.dataSource.query('SELECT * FROM agent_logs WHERE account_id = $1', [accountId]) as Promise<Record<string, unknown>[]>;

describe('POST /api/webhooks/n8n/execution', () => {
	it('records a signed report (201) with every field', async () => {
		const tenant = await hub.createTenant();
		const body = report(tenant);
		const response = await send(JSON.stringify(body));

		expect(response.status).toBe(201);
		expectDocumented(response, 'post', '/api/webhooks/n8n/execution');
		expect(response.body).toEqual({ id: expect.any(String), duplicate: false });
		const [row] = await executionsOf(tenant.account.id);
		expect(row).toMatchObject({
			id: response.body.id,
			agent_id: tenant.agent.id,
			n8n_execution_id: body.executionId,
			message_key: body.messageId,
			workflow_id: 'wf-pipeline',
			status: 'success',
			started_at: new Date(body.startedAt),
			latency_ms: 1500,
			model: 'gpt-4o-mini',
			prompt_tokens: 120,
			completion_tokens: 30,
			cost_usd: '0.000036',
			provider: 'messenger',
			conversation_id: body.conversationId,
			contact_id: 'psid-42',
			created_at: clock.now(),
		});
		expect(await logsOf(tenant.account.id)).toEqual([]);
	});

	it('stores a repeated report once (200, duplicate), also when the repeats arrive together', async () => {
		const tenant = await hub.createTenant();
		const raw = JSON.stringify(report(tenant));
		const responses = await Promise.all(Array.from({ length: 6 }, () => send(raw)));

		expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
		expect(responses.filter((response) => response.status === 200 && response.body.duplicate)).toHaveLength(5);
		expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
		for (const response of responses) expectDocumented(response, 'post', '/api/webhooks/n8n/execution');
		expect(await executionsOf(tenant.account.id)).toHaveLength(1);
	});

	it("adds each stored report, and only those, to its agent's daily totals (duplicates count once)", async () => {
		const tenant = await hub.createTenant();
		const first = JSON.stringify(report(tenant, { startedAt: '2026-03-10T08:00:00Z', promptTokens: 100, costUsd: 0.25 }));
		await Promise.all([send(first), send(first), send(first)]);
		await send(JSON.stringify(report(tenant, { startedAt: '2026-03-10T09:00:00Z', promptTokens: 20, costUsd: 0.5 })));
		await send(JSON.stringify(report(tenant, { startedAt: '2026-03-09T23:59:59Z', promptTokens: 1, costUsd: 1 })));

		const totals = await hub.dataSource.query(
			`SELECT to_char(day, 'YYYY-MM-DD') AS day, executions, prompt_tokens::int, cost_usd::float8
			FROM execution_daily_totals WHERE agent_id = $1 ORDER BY day`,
			[tenant.agent.id],
		);
		expect(totals).toEqual([
			{ day: '2026-03-09', executions: 1, prompt_tokens: 1, cost_usd: 1 },
			{ day: '2026-03-10', executions: 2, prompt_tokens: 120, cost_usd: 0.75 },
		]);
	});

	it('keeps one row per message of a batched execution', async () => {
		const tenant = await hub.createTenant();
		const executionId = '4242';
		for (const messageId of ['mid.a', 'mid.b', 'mid.c']) {
			expect((await send(JSON.stringify(report(tenant, { executionId, messageId })))).status).toBe(201);
		}
		expect(await executionsOf(tenant.account.id)).toHaveLength(3);
	});

	it('writes the agent log lines of the report, and an error line for a failed execution', async () => {
		const tenant = await hub.createTenant();
		await send(
			JSON.stringify(
				report(tenant, {
					logs: [{ level: 'info', message: 'reply sent', metadata: { chars: 42 } }],
				}),
			),
		);
		const failed = report(tenant, {
			status: 'error',
			reason: 'send_failed',
			error: { message: 'Graph API 500', code: 'graph_api_error' },
		});
		await send(JSON.stringify(failed));

		const logs = await logsOf(tenant.account.id);
		expect(logs).toHaveLength(2);
		expect(logs).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ level: 'info', message: 'reply sent', metadata: { chars: 42 } }),
				expect.objectContaining({
					level: 'error',
					message: 'Graph API 500',
					metadata: { executionId: failed.executionId, reason: 'send_failed', code: 'graph_api_error' },
				}),
			]),
		);
		const rows = await executionsOf(tenant.account.id);
		expect(rows.find((row) => row.status === 'error')).toMatchObject({
			error_message: 'Graph API 500',
			error_code: 'graph_api_error',
			reason: 'send_failed',
		});
	});

	it('accepts a report without message, tokens or latency (zeros and nulls stored)', async () => {
		const tenant = await hub.createTenant();
		const minimal = {
			accountId: tenant.account.id,
			agentId: tenant.agent.id,
			executionId: 'minimal-1',
			status: 'skipped',
			startedAt: '2026-03-10T08:59:00Z',
		};
		expect((await send(JSON.stringify(minimal))).status).toBe(201);
		expect((await send(JSON.stringify(minimal))).body.duplicate).toBe(true);
		const [row] = await executionsOf(tenant.account.id);
		expect(row).toMatchObject({ message_key: '', latency_ms: null, prompt_tokens: 0, cost_usd: '0.000000' });
	});

	it('ignores fields it does not know (no mass assignment)', async () => {
		const tenant = await hub.createTenant();
		const body = { ...report(tenant), id: randomUUID(), created_at: '2000-01-01T00:00:00Z', message_key: 'forged' };
		const response = await send(JSON.stringify(body));
		expect(response.status).toBe(201);
		const [row] = await executionsOf(tenant.account.id);
		expect(row).toMatchObject({ id: response.body.id, message_key: body.messageId, created_at: clock.now() });
	});

	describe('refuses, storing nothing', () => {
		it.each([
			['no signature header', { header: null }],
			['a malformed header', { header: 'sha256=abc' }],
			['a signature made with another secret', { secret: 'another-secret-of-enough-length-0000000000' }],
			['a signature older than 5 minutes', { at: new Date(clock.now().getTime() - 301_000) }],
			['a signature from more than 5 minutes ahead', { at: new Date(clock.now().getTime() + 301_000) }],
			['a v1 of the right length but wrong value', { header: `t=${unixSeconds(clock.now())},v1=${'0'.repeat(64)}` }],
		])('%s (401 invalid_signature)', async (_case, options) => {
			const tenant = await hub.createTenant();
			const response = await send(JSON.stringify(report(tenant)), options);
			expect(response.status).toBe(401);
			expect(response.body.error.code).toBe('invalid_signature');
			expect(await executionsOf(tenant.account.id)).toEqual([]);
		});

		it('a body changed after signing (401)', async () => {
			const tenant = await hub.createTenant();
			const signed = JSON.stringify(report(tenant));
			const header = signatureHeader(TEST_WEBHOOK_SECRET, unixSeconds(clock.now()), signed);
			const tampered = signed.replace('"status":"success"', '"status":"error"');
			expect((await send(tampered, { header })).status).toBe(401);
			// Re-serialising the same JSON (other key order, spaces) is a different body too: the bytes are signed.
			const reformatted = JSON.stringify(JSON.parse(signed), null, 2);
			expect((await send(reformatted, { header })).status).toBe(401);
			expect(await executionsOf(tenant.account.id)).toEqual([]);
		});

		it('accepts a signature within the window, and several v1 values while rotating', async () => {
			const tenant = await hub.createTenant();
			const raw = JSON.stringify(report(tenant));
			const fourMinutesAgo = unixSeconds(clock.now()) - 240;
			const rotating = `t=${fourMinutesAgo},v1=${'a'.repeat(64)},v1=${signatureHeader(TEST_WEBHOOK_SECRET, fourMinutesAgo, raw).split('v1=')[1]}`;
			expect((await send(raw, { header: rotating })).status).toBe(201);
		});

		it('a signed body that is not JSON (400 invalid_json)', async () => {
			const response = await send('{"accountId":');
			expect(response.status).toBe(400);
			expect(response.body.error.code).toBe('invalid_json');
		});

		it('a signed report that fails validation (422 with every issue)', async () => {
			const tenant = await hub.createTenant();
			const response = await send(
				JSON.stringify({ ...report(tenant), status: 'exploded', latencyMs: -1, accountId: 'not-a-uuid' }),
			);
			expect(response.status).toBe(422);
			expect(response.body.error.details.map((issue: { path: string }) => issue.path).sort()).toEqual([
				'body.accountId',
				'body.latencyMs',
				'body.status',
			]);
		});

		it('an agent of another account (404), and an unknown agent (404)', async () => {
			const [mine, theirs] = await Promise.all([hub.createTenant(), hub.createTenant()]);
			const crossed = await send(JSON.stringify(report({ account: mine.account, agent: theirs.agent })));
			expect(crossed.status).toBe(404);
			expect(crossed.body.error.code).toBe('agent_not_found');
			const unknown = await send(JSON.stringify(report({ account: mine.account, agent: { id: randomUUID() } })));
			expect(unknown.status).toBe(404);
			expect(await executionsOf(mine.account.id)).toEqual([]);
			expect(await executionsOf(theirs.account.id)).toEqual([]);
		});

		it('an oversized body (413)', async () => {
			const response = await send(JSON.stringify({ padding: 'x'.repeat(1_100_000) }));
			expect(response.status).toBe(413);
		});
	});
});

describe('a hub without SKYBOT_WEBHOOK_SECRET', () => {
	let unconfigured: TestHub;
	beforeAll(async () => {
		unconfigured = await startTestHub({ webhookSecret: null });
	});
	afterAll(() => unconfigured?.close());

	it('answers 503 webhook_not_configured and stores nothing', async () => {
		const tenant = await unconfigured.createTenant();
		const raw = JSON.stringify(report(tenant));
		const response = await unconfigured.request(PATH, {
			method: 'POST',
			rawBody: raw,
			headers: { 'x-skybot-signature': signatureHeader(TEST_WEBHOOK_SECRET, unixSeconds(new Date()), raw) },
		});
		expect(response.status).toBe(503);
		expect(response.body.error.code).toBe('webhook_not_configured');
		expect(await unconfigured.dataSource.query('SELECT 1 FROM executions')).toEqual([]);
	});
});
