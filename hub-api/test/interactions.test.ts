import { randomUUID } from 'node:crypto';
import type { LogInteractionRequest } from '../../contracts/hub-api';
import { createManualClock, startTestHub, type TestHub } from './support';
import { expectDocumented } from './support/documented';

const clock = createManualClock('2026-03-10T09:00:00.000Z');
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now });
});
afterAll(() => hub?.close());

function logRequest(overrides: Partial<LogInteractionRequest> = {}): LogInteractionRequest {
	return {
		status: 'replied',
		message: {
			provider: 'instagram',
			kind: 'dm',
			messageId: `mid.${randomUUID()}`,
			accountExternalId: '17841400000000001',
			conversationId: `conv-${randomUUID()}`,
			contact: { externalId: 'igsid-42', name: 'Lea' },
			text: 'Bonjour, quel est le prix ?',
			timestamp: '2026-03-10T08:59:58.000Z',
		},
		reply: { text: 'Bonjour Lea !', model: 'gpt-4o-mini', promptTokens: 120, completionTokens: 30, costUsd: 0.000036 },
		...overrides,
	};
}

const log = (key: string, body: unknown) => hub.request('/api/interactions', { key, body });
const rowsFor = (accountId: string) =>
	hub.dataSource.query('SELECT * FROM interactions WHERE account_id = $1', [accountId]) as Promise<
		Record<string, unknown>[]
	>;

describe('POST /api/interactions', () => {
	it('stores a new interaction (201) with every field', async () => {
		const { account, agent, apiKey } = await hub.createTenant();
		const request = logRequest({ agentId: agent.id });
		const response = await log(apiKey.key, request);

		expect(response.status).toBe(201);
		expectDocumented(response, 'post', '/api/interactions');
		expect(response.body).toEqual({
			id: expect.any(String),
			accountId: account.id,
			agentId: agent.id,
			provider: 'instagram',
			messageId: request.message.messageId,
			conversationId: request.message.conversationId,
			status: 'replied',
			reason: null,
			createdAt: '2026-03-10T09:00:00.000Z',
			duplicate: false,
		});
		const [row] = await rowsFor(account.id);
		expect(row).toMatchObject({
			contact_external_id: 'igsid-42',
			contact_name: 'Lea',
			inbound_text: 'Bonjour, quel est le prix ?',
			reply_text: 'Bonjour Lea !',
			model: 'gpt-4o-mini',
			prompt_tokens: 120,
			completion_tokens: 30,
			cost_usd: '0.000036',
		});
	});

	it('keeps the first outcome for a repeat (200, duplicate: true), also under concurrency', async () => {
		const { account, apiKey } = await hub.createTenant();
		const first = logRequest({ status: 'skipped', reason: 'anti_flood', reply: undefined });
		const repeats = await Promise.all(
			Array.from({ length: 5 }, () => log(apiKey.key, { ...first, status: 'replied', reason: undefined })),
		).then(async (concurrent) => [await log(apiKey.key, first), ...concurrent]);

		expect(repeats.filter((response) => response.status === 201)).toHaveLength(1);
		expect(repeats.filter((response) => response.body.duplicate)).toHaveLength(5);
		expect(new Set(repeats.map((response) => response.body.id)).size).toBe(1);
		expect(await rowsFor(account.id)).toHaveLength(1);
	});

	it('replaces a stored failed outcome with a later one', async () => {
		const { account, apiKey } = await hub.createTenant();
		const failed = logRequest({
			status: 'failed',
			reason: 'graph_api_error',
			reply: undefined,
			error: { message: 'Graph API 500', code: 'graph_api_error', httpStatus: 502 },
		});
		const stored = await log(apiKey.key, failed);
		clock.advance(60_000);
		const retried = await log(apiKey.key, {
			...failed,
			status: 'replied',
			reason: undefined,
			error: undefined,
			reply: { text: 'Hi' },
		});
		const repeatAfterSuccess = await log(apiKey.key, failed);

		expect(stored.status).toBe(201);
		expect(retried.status).toBe(200);
		expectDocumented(retried, 'post', '/api/interactions');
		expect(retried.body).toMatchObject({ id: stored.body.id, status: 'replied', duplicate: false });
		expect(repeatAfterSuccess.body).toMatchObject({ status: 'replied', duplicate: true });
		const [row] = await rowsFor(account.id);
		expect(row).toMatchObject({ status: 'replied', reply_text: 'Hi', error_message: null, error_http_status: null });
	});

	it('keeps the most telling outcome whatever order executions log in', async () => {
		const { account, apiKey } = await hub.createTenant();
		// A redelivery skipped as a duplicate logs first; the execution that really sent the reply logs after it.
		const duplicate = logRequest({ status: 'skipped', reason: 'duplicate', reply: undefined });
		const sent = { ...duplicate, status: 'replied', reason: undefined, reply: { text: 'Bonjour !' } };
		expect((await log(apiKey.key, duplicate)).status).toBe(201);
		expect((await log(apiKey.key, sent)).body).toMatchObject({ status: 'replied', duplicate: false });
		// A later failure or skip never hides that the reply went out.
		expect((await log(apiKey.key, { ...sent, status: 'failed', error: { message: 'Graph API 500' } })).body).toMatchObject({
			status: 'replied',
			duplicate: true,
		});
		expect((await log(apiKey.key, duplicate)).body).toMatchObject({ status: 'replied', duplicate: true });
		const [row] = await rowsFor(account.id);
		expect(row).toMatchObject({ status: 'replied', reply_text: 'Bonjour !', reason: null });
	});

	it('keeps a failure when a redelivery of the message is skipped', async () => {
		const { account, apiKey } = await hub.createTenant();
		const failed = logRequest({ status: 'failed', reason: 'send_failed', error: { message: 'Graph API 500' } });
		await log(apiKey.key, failed);
		expect((await log(apiKey.key, { ...failed, status: 'skipped', reason: 'duplicate', error: undefined })).body).toMatchObject({
			status: 'failed',
			duplicate: true,
		});
		const [row] = await rowsFor(account.id);
		expect(row).toMatchObject({ status: 'failed', error_message: 'Graph API 500' });
	});

	it('keys idempotency per account and provider', async () => {
		const [first, second] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const request = logRequest();
		expect((await log(first.apiKey.key, request)).status).toBe(201);
		expect((await log(second.apiKey.key, request)).status).toBe(201);
		const otherProvider = { ...request, message: { ...request.message, provider: 'messenger' } };
		expect((await log(first.apiKey.key, otherProvider)).status).toBe(201);
	});

	it('needs accountId with the platform key', async () => {
		const { account } = await hub.createTenant();
		expect((await log(hub.platformKey, logRequest())).status).toBe(422);
		const response = await log(hub.platformKey, { ...logRequest(), accountId: account.id });
		expect(response.status).toBe(201);
		expect(response.body.accountId).toBe(account.id);
	});

	it("refuses another account's agent with 404 and stores nothing", async () => {
		const [caller, other] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const response = await log(caller.apiKey.key, logRequest({ agentId: other.agent.id }));
		expect(response.status).toBe(404);
		expect(response.body.error.code).toBe('agent_not_found');
		expect(await rowsFor(caller.account.id)).toHaveLength(0);
	});

	it('accepts the Meta postback and comment shapes (payload, post and thread) as the trigger emits them', async () => {
		const { account, apiKey } = await hub.createTenant();
		const base = logRequest().message;
		const postback = {
			...base,
			provider: 'messenger' as const,
			kind: 'postback' as const,
			messageId: `m_${randomUUID()}`,
			text: 'Voir les tarifs',
			postback: { payload: 'PRICES', title: 'Voir les tarifs' },
		};
		const comment = {
			...base,
			provider: 'messenger' as const,
			kind: 'comment' as const,
			messageId: `4444_${randomUUID()}`,
			text: 'Combien ?',
			comment: { postId: '1111_4444', parentId: '4444_1' },
		};
		for (const message of [postback, comment]) {
			const response = await log(apiKey.key, { status: 'skipped', reason: 'not_answerable', message });
			expect(response.status).toBe(201);
			expectDocumented(response, 'post', '/api/interactions');
		}
		const rows = await rowsFor(account.id);
		expect(rows.map((row) => [row.kind, row.inbound_text]).sort()).toEqual([
			['comment', 'Combien ?'],
			['postback', 'Voir les tarifs'],
		]);
	});

	it('answers wrong types with 422 and stores nothing', async () => {
		const { account, apiKey } = await hub.createTenant();
		const request = logRequest();
		const invalid = [
			{ ...request, status: 'sent' },
			{ ...request, message: { ...request.message, provider: 'myspace' } },
			{ ...request, message: { ...request.message, timestamp: 'yesterday' } },
			{ ...request, reply: { text: 'x', promptTokens: -1 } },
			{ ...request, message: { ...request.message, contact: undefined } },
			{ ...request, message: { ...request.message, kind: 'postback', postback: { payload: '' } } },
			{ ...request, message: { ...request.message, kind: 'postback', postback: { payload: 42, title: 'x' } } },
			{ ...request, message: { ...request.message, kind: 'comment', comment: { postId: ['1'] } } },
		];
		for (const body of invalid) {
			const response = await log(apiKey.key, body);
			expect(response.status).toBe(422);
			expect(response.body.error.code).toBe('validation_failed');
		}
		expect(await rowsFor(account.id)).toHaveLength(0);
	});
});

describe('GET /api/interactions', () => {
	it('lists the caller’s interactions newest first, filtered and paged by cursor', async () => {
		const { apiKey } = await hub.createTenant();
		const other = await hub.createTenant();
		await log(other.apiKey.key, logRequest());
		const statuses = ['replied', 'skipped', 'replied', 'failed', 'replied'] as const;
		const ids: string[] = [];
		for (const status of statuses) {
			clock.advance(1_000);
			ids.push((await log(apiKey.key, logRequest({ status }))).body.id);
		}

		const firstPage = await hub.request('/api/interactions?limit=2', { key: apiKey.key });
		expect(firstPage.status).toBe(200);
		expectDocumented(firstPage, 'get', '/api/interactions');
		expect(firstPage.body.interactions.map((row: { id: string }) => row.id)).toEqual([ids[4], ids[3]]);
		const secondPage = await hub.request(`/api/interactions?limit=2&cursor=${firstPage.body.nextCursor}`, {
			key: apiKey.key,
		});
		expect(secondPage.body.interactions.map((row: { id: string }) => row.id)).toEqual([ids[2], ids[1]]);
		const lastPage = await hub.request(`/api/interactions?limit=2&cursor=${secondPage.body.nextCursor}`, {
			key: apiKey.key,
		});
		expect(lastPage.body.interactions.map((row: { id: string }) => row.id)).toEqual([ids[0]]);
		expect(lastPage.body.nextCursor).toBeNull();
		expectDocumented(lastPage, 'get', '/api/interactions');

		const replied = await hub.request('/api/interactions?status=replied', { key: apiKey.key });
		expectDocumented(replied, 'get', '/api/interactions');
		expect(replied.body.interactions.map((row: { id: string }) => row.id)).toEqual([ids[4], ids[2], ids[0]]);
		expect(replied.body.interactions[0]).toMatchObject({
			contact: { externalId: 'igsid-42', name: 'Lea' },
			reply: { text: 'Bonjour Lea !', costUsd: 0.000036 },
			error: null,
		});
	});

	it('rejects a bad limit, status or cursor with 422', async () => {
		const { apiKey } = await hub.createTenant();
		for (const query of ['limit=0', 'limit=1000', 'status=sent', 'cursor=garbage']) {
			expect((await hub.request(`/api/interactions?${query}`, { key: apiKey.key })).status).toBe(422);
		}
		const forged = await hub.request('/api/interactions?cursor=garbage', { key: apiKey.key });
		expect(forged.body.error.details).toEqual([expect.objectContaining({ path: 'query.cursor', code: 'invalid_cursor' })]);
	});
});
