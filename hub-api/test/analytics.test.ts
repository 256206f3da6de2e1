/**
 * Analytics against a hand-computed fixture: every expected figure below is worked out by hand from the rows
 * inserted in beforeAll (comments show the arithmetic), not by re-running the SQL.
 */
import { startTestHub, createManualClock, type TestHub } from './support';
import { expectDocumented } from './support/documented';
import type { SeededTenant } from '../src/seed';

const clock = createManualClock('2026-03-10T12:00:00.000Z');
let hub: TestHub;
let a: SeededTenant;
let b: SeededTenant;
let beta: string;
let gamma: string;

async function addAgent(accountId: string, name: string): Promise<string> {
	const [row] = await hub.dataSource.query('INSERT INTO agents (account_id, name) VALUES ($1, $2) RETURNING id', [
		accountId,
		name,
	]);
	return row.id;
}

interface Row {
	accountId: string;
	agentId: string;
	status: 'success' | 'error' | 'skipped';
	at: string;
	latencyMs: number | null;
	/** prompt 10, completion 5, cost 0.001 unless skipped (0, 0, 0). */
}

let sequence = 0;
async function insert(rows: Row[]): Promise<void> {
	for (const row of rows) {
		const billed = row.status !== 'skipped';
		await hub.dataSource.query(
			`INSERT INTO executions (account_id, agent_id, n8n_execution_id, status, started_at, latency_ms,
				prompt_tokens, completion_tokens, cost_usd)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			[row.accountId, row.agentId, `exec-${++sequence}`, row.status, row.at, row.latencyMs, billed ? 10 : 0, billed ? 5 : 0, billed ? 0.001 : 0],
		);
	}
}

beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now });
	[a, b] = await Promise.all([hub.createTenant({ name: 'Account A' }), hub.createTenant({ name: 'Account B' })]);
	await hub.dataSource.query('UPDATE agents SET name = $1 WHERE id = $2', ['alpha', a.agent.id]);
	beta = await addAgent(a.account.id, 'beta');
	gamma = await addAgent(a.account.id, 'gamma');
	await hub.dataSource.query(`UPDATE agents SET status = 'INACTIVE' WHERE id = $1`, [gamma]);
	const alpha = a.agent.id;
	const A = a.account.id;
	await insert([
		// Today (2026-03-10 UTC)
		{ accountId: A, agentId: alpha, status: 'success', at: '2026-03-10T01:00:00Z', latencyMs: 100 },
		{ accountId: A, agentId: alpha, status: 'success', at: '2026-03-10T08:00:00Z', latencyMs: 300 },
		{ accountId: A, agentId: alpha, status: 'error', at: '2026-03-10T11:59:00Z', latencyMs: 200 },
		{ accountId: A, agentId: beta, status: 'success', at: '2026-03-10T09:00:00Z', latencyMs: 400 },
		{ accountId: A, agentId: beta, status: 'skipped', at: '2026-03-10T09:30:00Z', latencyMs: null },
		// Yesterday, 8 days ago (outside 7d, inside 4w), 40 days ago (inside 3m only)
		{ accountId: A, agentId: alpha, status: 'success', at: '2026-03-09T10:00:00Z', latencyMs: 1000 },
		{ accountId: A, agentId: alpha, status: 'error', at: '2026-03-02T11:00:00Z', latencyMs: 50 },
		{ accountId: A, agentId: alpha, status: 'success', at: '2026-01-29T10:00:00Z', latencyMs: 500 },
		// Another account's traffic today must not show in A's figures.
		{ accountId: b.account.id, agentId: b.agent.id, status: 'error', at: '2026-03-10T10:00:00Z', latencyMs: 9000 },
	]);
});
afterAll(() => hub?.close());

const get = (path: string, key = a.apiKey.key) => hub.request(path, { key });

describe('GET /api/analytics/overview', () => {
	it("computes today's figures of the account", async () => {
		const response = await get('/api/analytics/overview');
		expect(response.status).toBe(200);
		expectDocumented(response, 'get', '/api/analytics/overview');
		expect(response.body).toEqual({
			day: { from: '2026-03-10T00:00:00.000Z', to: '2026-03-11T00:00:00.000Z' },
			agents: 3,
			activeAgents: 2, // gamma is inactive
			executionsToday: 5,
			avgResponseTimeMs: 250, // (100 + 300 + 200 + 400) / 4; the skipped row has no latency
			errorRate: 20, // 1 error / 5
			topAgents: [
				{ id: a.agent.id, name: 'alpha', executions: 3 },
				{ id: beta, name: 'beta', executions: 2 },
			],
		});
	});

	it('is all zeros and nulls, never NaN, for an account without executions', async () => {
		const empty = await hub.createTenant();
		const response = await get('/api/analytics/overview', empty.apiKey.key);
		expectDocumented(response, 'get', '/api/analytics/overview');
		expect(response.body).toMatchObject({
			agents: 1,
			activeAgents: 1,
			executionsToday: 0,
			avgResponseTimeMs: null,
			errorRate: 0,
			topAgents: [],
		});
	});

	it('moves with the UTC day', async () => {
		clock.set('2026-03-11T00:30:00.000Z');
		try {
			const response = await get('/api/analytics/overview');
			expect(response.body).toMatchObject({ executionsToday: 0, avgResponseTimeMs: null, errorRate: 0, topAgents: [] });
		} finally {
			clock.set('2026-03-10T12:00:00.000Z');
		}
	});
});

describe('GET /api/agents/:id/stats', () => {
	it('computes an agent over 7 days with a daily series', async () => {
		const response = await get(`/api/agents/${a.agent.id}/stats?period=7d`);
		expect(response.status).toBe(200);
		expectDocumented(response, 'get', '/api/agents/{id}/stats');
		const { series, ...rest } = response.body;
		expect(rest).toEqual({
			agent: { id: a.agent.id, name: 'alpha', status: expect.any(String) },
			period: '7d',
			from: '2026-03-03T12:00:00.000Z',
			to: '2026-03-10T12:00:00.000Z',
			stats: {
				totalExecutions: 4, // today's 3 + yesterday's 1
				successCount: 3,
				errorCount: 1,
				skippedCount: 0,
				successRate: 75,
				errorRate: 25,
				avgResponseTimeMs: 400, // (100 + 300 + 200 + 1000) / 4
				p50ResponseTimeMs: 250, // between 200 and 300
				p95ResponseTimeMs: 895, // 300 + 0.85 × (1000 − 300): position 0.95 × 3 = 2.85
				promptTokens: 40,
				completionTokens: 20,
				totalTokens: 60,
				costUsd: 0.004,
				cacheHits: 0,
				costSavedUsd: 0,
			},
		});
		// 2026-03-03 … 2026-03-10: 8 UTC days, the empty ones included.
		expect(series).toHaveLength(8);
		expect(series[0]).toEqual({ bucket: '2026-03-03T00:00:00.000Z', executions: 0, errors: 0, avgResponseTimeMs: null });
		expect(series.at(-2)).toEqual({ bucket: '2026-03-09T00:00:00.000Z', executions: 1, errors: 0, avgResponseTimeMs: 1000 });
		expect(series.at(-1)).toEqual({ bucket: '2026-03-10T00:00:00.000Z', executions: 3, errors: 1, avgResponseTimeMs: 200 });
	});

	it('uses 7d by default, 28 days for 4w and ISO weeks for 3m', async () => {
		expect((await get(`/api/agents/${a.agent.id}/stats`)).body.period).toBe('7d');
		const fourWeeks = (await get(`/api/agents/${a.agent.id}/stats?period=4w`)).body;
		expect(fourWeeks).toMatchObject({ from: '2026-02-10T12:00:00.000Z', stats: { totalExecutions: 5, errorCount: 2 } });
		expect(fourWeeks.series).toHaveLength(29);

		const threeMonths = (await get(`/api/agents/${a.agent.id}/stats?period=3m`)).body;
		expect(threeMonths).toMatchObject({ from: '2025-12-10T12:00:00.000Z', stats: { totalExecutions: 6 } });
		// Mondays from the week of 2025-12-10 (Monday 12-08) to the week of 2026-03-10 (Monday 03-09): 14 weeks.
		expect(threeMonths.series).toHaveLength(14);
		expect(threeMonths.series[0].bucket).toBe('2025-12-08T00:00:00.000Z');
		expect(threeMonths.series.every((point: { bucket: string }) => new Date(point.bucket).getUTCDay() === 1)).toBe(true);
		const total = threeMonths.series.reduce((sum: number, point: { executions: number }) => sum + point.executions, 0);
		expect(total).toBe(6);
	});

	it('reports an agent that never ran with zeros and null latencies (no NaN, no division by zero)', async () => {
		const response = await get(`/api/agents/${gamma}/stats?period=7d`);
		expect(response.status).toBe(200);
		expectDocumented(response, 'get', '/api/agents/{id}/stats');
		expect(response.body.stats).toEqual({
			totalExecutions: 0,
			successCount: 0,
			errorCount: 0,
			skippedCount: 0,
			successRate: 0,
			errorRate: 0,
			avgResponseTimeMs: null,
			p50ResponseTimeMs: null,
			p95ResponseTimeMs: null,
			promptTokens: 0,
			completionTokens: 0,
			totalTokens: 0,
			costUsd: 0,
			cacheHits: 0,
			costSavedUsd: 0,
		});
		expect(response.body.series).toHaveLength(8);
		expect(JSON.stringify(response.body)).not.toMatch(/NaN|Infinity/);
	});

	it.each([
		['an unknown period', `?period=1y`, 422],
		['a malformed agent id', null, 422],
	])('refuses %s', async (_case, query, status) => {
		const path = query === null ? '/api/agents/not-a-uuid/stats' : `/api/agents/${a.agent.id}/stats${query}`;
		expect((await get(path)).status).toBe(status);
	});
});

describe('GET /api/analytics/costs', () => {
	/** The fixture's executions were all answered by the model: no cache hit. */
	const noSavings = { cacheHits: 0, costSavedUsd: 0 };
	it('sums tokens and cost per agent over 4 weeks, most expensive first, idle agents included', async () => {
		const response = await get('/api/analytics/costs');
		expect(response.status).toBe(200);
		expectDocumented(response, 'get', '/api/analytics/costs');
		expect(response.body).toEqual({
			period: '4w',
			from: '2026-02-10T12:00:00.000Z',
			to: '2026-03-10T12:00:00.000Z',
			agents: [
				// alpha: 5 billed rows since 2026-02-10 (the 40-day-old one is out)
				{ agentId: a.agent.id, name: 'alpha', executions: 5, promptTokens: 50, completionTokens: 25, totalTokens: 75, costUsd: 0.005, ...noSavings },
				// beta: one billed success, one skipped (no tokens)
				{ agentId: beta, name: 'beta', executions: 2, promptTokens: 10, completionTokens: 5, totalTokens: 15, costUsd: 0.001, ...noSavings },
				{ agentId: gamma, name: 'gamma', executions: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0, ...noSavings },
			],
			total: { executions: 7, promptTokens: 60, completionTokens: 30, totalTokens: 90, costUsd: 0.006, ...noSavings },
		});
	});

	it('keeps a deleted agent out of the fleet, but in the costs while it still cost something in the window', async () => {
		const tenant = await hub.createTenant();
		const [spent, idle] = [await addAgent(tenant.account.id, 'spent'), await addAgent(tenant.account.id, 'idle')];
		await insert([{ accountId: tenant.account.id, agentId: spent, status: 'success', at: '2026-03-10T10:00:00Z', latencyMs: 100 }]);
		await hub.dataSource.query(`UPDATE agents SET status = 'DELETED', deleted_at = now() WHERE id = ANY($1)`, [[spent, idle]]);

		const costs = await get('/api/analytics/costs', tenant.apiKey.key);
		expect(costs.body.agents.map((agent: { name: string }) => agent.name)).toEqual(['spent', `${tenant.account.name} agent`]);
		expect(costs.body.total).toMatchObject({ executions: 1, costUsd: 0.001 });
		const overview = await get('/api/analytics/overview', tenant.apiKey.key);
		expect(overview.body).toMatchObject({ agents: 1, activeAgents: 1, executionsToday: 1 });
	});

	it('takes 3m', async () => {
		const response = await get('/api/analytics/costs?period=3m');
		expect(response.body.total).toMatchObject({ executions: 8, costUsd: 0.007 });
	});
});

describe('answers from the answer cache', () => {
	/** Replies served from the cache: no tokens, no cost, and what the model call would have cost as cost saved. */
	async function insertCached(accountId: string, agentId: string, rows: { at: string; saved: number | null }[]) {
		for (const row of rows) {
			const hit = row.saved !== null;
			await hub.dataSource.query(
				`INSERT INTO executions (account_id, agent_id, n8n_execution_id, status, started_at, latency_ms,
					prompt_tokens, completion_tokens, cost_usd, cache_hit, cost_saved_usd)
				 VALUES ($1, $2, $3, 'success', $4, 100, $5, $6, $7, $8, $9)`,
				[accountId, agentId, `exec-${++sequence}`, row.at, hit ? 0 : 10, hit ? 0 : 5, hit ? 0 : 0.001, hit, row.saved ?? 0],
			);
		}
	}

	it('counts hits and sums cost saved over the same windows as the cost, edge days and whole days alike', async () => {
		const tenant = await hub.createTenant();
		const other = await addAgent(tenant.account.id, 'other');
		await insertCached(tenant.account.id, tenant.agent.id, [
			{ at: '2026-03-10T09:00:00Z', saved: 0.002 }, // today: a partial edge day of every window
			{ at: '2026-03-05T10:00:00Z', saved: 0.003 }, // a whole day: read from the daily totals
			{ at: '2026-03-05T11:00:00Z', saved: null }, // the model answered: cost 0.001, nothing saved
			{ at: '2026-02-10T13:00:00Z', saved: 0.0001 }, // the 4w window's first (partial) day, inside
			{ at: '2026-02-10T11:00:00Z', saved: 0.5 }, // the same day before the window starts: out of 4w
		]);
		await insertCached(tenant.account.id, other, [{ at: '2026-03-09T10:00:00Z', saved: 0.01 }]);

		const costs = await get('/api/analytics/costs', tenant.apiKey.key);
		expectDocumented(costs, 'get', '/api/analytics/costs');
		expect(costs.body.agents).toEqual([
			// 4 rows in the window, 3 of them hits: 0.002 + 0.003 + 0.0001 saved; the one model call cost 0.001
			expect.objectContaining({
				agentId: tenant.agent.id,
				executions: 4,
				totalTokens: 15,
				costUsd: 0.001,
				cacheHits: 3,
				costSavedUsd: 0.0051,
			}),
			expect.objectContaining({ agentId: other, executions: 1, costUsd: 0, cacheHits: 1, costSavedUsd: 0.01, totalTokens: 0 }),
		]);
		expect(costs.body.total).toEqual({
			executions: 5,
			promptTokens: 10,
			completionTokens: 5,
			totalTokens: 15,
			costUsd: 0.001,
			cacheHits: 4,
			costSavedUsd: 0.0151,
		});
		// 3m takes the row before 2026-02-10T12:00 too.
		expect((await get('/api/analytics/costs?period=3m', tenant.apiKey.key)).body.total).toMatchObject({
			cacheHits: 5,
			costSavedUsd: 0.5151,
		});

		const week = await get(`/api/agents/${tenant.agent.id}/stats?period=7d`, tenant.apiKey.key);
		expectDocumented(week, 'get', '/api/agents/{id}/stats');
		// Since 2026-03-03T12:00: today's hit and the two rows of 03-05.
		expect(week.body.stats).toMatchObject({ totalExecutions: 3, costUsd: 0.001, cacheHits: 2, costSavedUsd: 0.005 });
		const fourWeeks = await get(`/api/agents/${tenant.agent.id}/stats?period=4w`, tenant.apiKey.key);
		expect(fourWeeks.body.stats).toMatchObject({ totalExecutions: 4, cacheHits: 3, costSavedUsd: 0.0051 });
	});
});

describe('tenant isolation', () => {
	it("answers 404 for another account's agent, whoever asks", async () => {
		const byKey = await get(`/api/agents/${b.agent.id}/stats`);
		expect([byKey.status, byKey.body.error.code]).toEqual([404, 'agent_not_found']);
		const person = await hub.addUser(a.account.id, 'viewer');
		const byToken = await hub.request(`/api/agents/${b.agent.id}/stats`, { token: person.accessToken });
		expect(byToken.status).toBe(404);
		// A platform key acting for B cannot read A's agent either.
		const platform = await get(`/api/agents/${a.agent.id}/stats?accountId=${b.account.id}`, hub.platformKey);
		expect(platform.status).toBe(404);
	});

	it("shows each account only its own figures, even when it names another account", async () => {
		const overviewB = await get(`/api/analytics/overview?accountId=${a.account.id}`, b.apiKey.key);
		expect(overviewB.body).toMatchObject({ agents: 1, executionsToday: 1, errorRate: 100, avgResponseTimeMs: 9000 });
		const costsB = await get(`/api/analytics/costs?accountId=${a.account.id}`, b.apiKey.key);
		expect(costsB.body.agents.map((agent: { agentId: string }) => agent.agentId)).toEqual([b.agent.id]);
	});

	it('lets a viewer read, needs credentials, and needs accountId with the platform key', async () => {
		const viewer = await hub.addUser(a.account.id, 'viewer');
		expect((await hub.request('/api/analytics/overview', { token: viewer.accessToken })).body.executionsToday).toBe(5);
		expect((await hub.request('/api/analytics/overview')).status).toBe(401);
		expect((await get('/api/analytics/costs', hub.platformKey)).status).toBe(422);
		const forA = await get(`/api/analytics/overview?accountId=${a.account.id}`, hub.platformKey);
		expect(forA.body.executionsToday).toBe(5);
	});
});
