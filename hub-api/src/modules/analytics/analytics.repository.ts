import type { DataSource } from 'typeorm';

/**
 * Every figure is computed by PostgreSQL with aggregates over the indexed (account_id | agent_id, started_at)
 * ranges; no execution row is ever loaded into the hub process, so its memory does not depend on the table size.
 * Empty data is handled in SQL: NULLIF guards every division, COALESCE turns the sums of no rows into 0; latencies
 * of no rows stay NULL (there is no latency to report), which the service passes on as null.
 * Days and weeks are UTC.
 */

export interface Window {
	from: Date;
	to: Date;
}

export interface OverviewRow {
	agents: number;
	active_agents: number;
	executions: number;
	errors: number;
	avg_latency_ms: string | null;
	error_rate: string;
}

export interface TopAgentRow {
	agent_id: string;
	name: string;
	executions: number;
}

export interface StatsRow {
	executions: number;
	successes: number;
	errors: number;
	skipped: number;
	success_rate: string;
	error_rate: string;
	avg_latency_ms: string | null;
	p50_latency_ms: string | null;
	p95_latency_ms: string | null;
	prompt_tokens: string;
	completion_tokens: string;
	cost_usd: string;
	cache_hits: number;
	cost_saved_usd: string;
}

export interface SeriesRow {
	bucket: Date;
	executions: number;
	errors: number;
	avg_latency_ms: string | null;
}

export interface CostRow {
	agent_id: string;
	name: string;
	executions: number;
	prompt_tokens: string;
	completion_tokens: string;
	cost_usd: string;
	cache_hits: number;
	cost_saved_usd: string;
}

export type Bucket = 'day' | 'week';

// Deleted agents stay in the table as history (status DELETED); the fleet figures leave them out.
const LIVE_AGENT = `status <> 'DELETED'`;

const OVERVIEW_SQL = `
	WITH fleet AS (
		SELECT count(*)::int AS agents, count(*) FILTER (WHERE status = 'ACTIVE')::int AS active_agents
		FROM agents WHERE account_id = $1 AND ${LIVE_AGENT}
	), today AS (
		SELECT count(*)::int AS executions,
			count(*) FILTER (WHERE status = 'error')::int AS errors,
			round(avg(latency_ms), 1) AS avg_latency_ms
		FROM executions WHERE account_id = $1 AND started_at >= $2 AND started_at < $3
	)
	SELECT fleet.agents, fleet.active_agents, today.executions, today.errors, today.avg_latency_ms,
		COALESCE(round(100.0 * today.errors / NULLIF(today.executions, 0), 2), 0) AS error_rate
	FROM fleet, today`;

// Grouped on the index first, joined to the (few) agent names after: the join never multiplies execution rows.
const TOP_AGENTS_SQL = `
	SELECT counted.agent_id, agents.name, counted.executions
	FROM (
		SELECT agent_id, count(*)::int AS executions
		FROM executions WHERE account_id = $1 AND started_at >= $2 AND started_at < $3
		GROUP BY agent_id
	) counted
	JOIN agents ON agents.id = counted.agent_id
	ORDER BY counted.executions DESC, agents.name, counted.agent_id
	LIMIT $4`;

const STATS_SQL = `
	SELECT count(*)::int AS executions,
		count(*) FILTER (WHERE status = 'success')::int AS successes,
		count(*) FILTER (WHERE status = 'error')::int AS errors,
		count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
		COALESCE(round(100.0 * count(*) FILTER (WHERE status = 'success') / NULLIF(count(*), 0), 2), 0) AS success_rate,
		COALESCE(round(100.0 * count(*) FILTER (WHERE status = 'error') / NULLIF(count(*), 0), 2), 0) AS error_rate,
		round(avg(latency_ms), 1) AS avg_latency_ms,
		round(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)::numeric, 1) AS p50_latency_ms,
		round(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)::numeric, 1) AS p95_latency_ms,
		COALESCE(sum(prompt_tokens), 0) AS prompt_tokens,
		COALESCE(sum(completion_tokens), 0) AS completion_tokens,
		COALESCE(sum(cost_usd), 0) AS cost_usd,
		count(*) FILTER (WHERE cache_hit)::int AS cache_hits,
		COALESCE(sum(cost_saved_usd), 0) AS cost_saved_usd
	FROM executions WHERE agent_id = $1 AND started_at >= $2 AND started_at < $3`;

// Every bucket of the window appears, empty ones with zeros: generate_series gives the buckets, the aggregate
// fills those that have executions.
const SERIES_SQL = `
	WITH counted AS (
		SELECT date_trunc($4, started_at AT TIME ZONE 'UTC') AS bucket,
			count(*)::int AS executions,
			count(*) FILTER (WHERE status = 'error')::int AS errors,
			round(avg(latency_ms), 1) AS avg_latency_ms
		FROM executions WHERE agent_id = $1 AND started_at >= $2 AND started_at < $3
		GROUP BY 1
	)
	SELECT buckets.bucket AT TIME ZONE 'UTC' AS bucket,
		COALESCE(counted.executions, 0) AS executions,
		COALESCE(counted.errors, 0) AS errors,
		counted.avg_latency_ms
	FROM generate_series(
		date_trunc($4, $2::timestamptz AT TIME ZONE 'UTC'),
		date_trunc($4, $3::timestamptz AT TIME ZONE 'UTC' - interval '1 millisecond'),
		('1 ' || $4)::interval
	) AS buckets (bucket)
	LEFT JOIN counted USING (bucket)
	ORDER BY buckets.bucket`;

// Whole UTC days inside the window come from the daily totals (one row per agent and day), the two partial days at
// its edges from the executions themselves, so the sums are exact and the work does not grow with the traffic.
// Every live agent appears, with zeros when it ran nothing; a deleted agent appears only when it still cost
// something in the window, so the total stays the account's total.
// $2 / $3: the window; $4 / $5: where the whole days start and end (two index ranges of executions around them).
const COSTS_SQL = `
	WITH parts AS (
		SELECT agent_id, executions, prompt_tokens, completion_tokens, cost_usd, cache_hits, cost_saved_usd
		FROM execution_daily_totals
		WHERE account_id = $1 AND day >= ($4::timestamptz AT TIME ZONE 'UTC')::date
			AND day < ($5::timestamptz AT TIME ZONE 'UTC')::date
		UNION ALL
		SELECT agent_id, 1, prompt_tokens, completion_tokens, cost_usd, cache_hit::int, cost_saved_usd
		FROM executions
		WHERE account_id = $1
			AND ((started_at >= $2 AND started_at < $4) OR (started_at >= $5 AND started_at < $3))
	), summed AS (
		SELECT agent_id, sum(executions)::int AS executions, sum(prompt_tokens) AS prompt_tokens,
			sum(completion_tokens) AS completion_tokens, sum(cost_usd) AS cost_usd,
			sum(cache_hits)::int AS cache_hits, sum(cost_saved_usd) AS cost_saved_usd
		FROM parts
		GROUP BY agent_id
	)
	SELECT agents.id AS agent_id, agents.name,
		COALESCE(summed.executions, 0) AS executions,
		COALESCE(summed.prompt_tokens, 0) AS prompt_tokens,
		COALESCE(summed.completion_tokens, 0) AS completion_tokens,
		COALESCE(summed.cost_usd, 0) AS cost_usd,
		COALESCE(summed.cache_hits, 0) AS cache_hits,
		COALESCE(summed.cost_saved_usd, 0) AS cost_saved_usd
	FROM agents
	LEFT JOIN summed ON summed.agent_id = agents.id
	WHERE agents.account_id = $1 AND (${LIVE_AGENT.replace('status', 'agents.status')} OR summed.executions > 0)
	ORDER BY COALESCE(summed.cost_usd, 0) DESC, agents.name, agents.id`;

const DAY_MS = 86_400_000;

/**
 * The whole UTC days inside the window, as [start, end): from the first midnight at or after `from` to the last
 * midnight at or before `to`. Every period spans at least one midnight (the shortest is 7 days), so start <= end.
 */
function wholeDays(window: Window): { start: Date; end: Date } {
	return {
		start: new Date(Math.ceil(window.from.getTime() / DAY_MS) * DAY_MS),
		end: new Date(Math.floor(window.to.getTime() / DAY_MS) * DAY_MS),
	};
}

export class AnalyticsRepository {
	constructor(private readonly dataSource: DataSource) {}

	async overview(accountId: string, day: Window): Promise<OverviewRow> {
		const [row] = await this.dataSource.query(OVERVIEW_SQL, [accountId, day.from, day.to]);
		return row as OverviewRow;
	}

	topAgents(accountId: string, window: Window, limit: number): Promise<TopAgentRow[]> {
		return this.dataSource.query(TOP_AGENTS_SQL, [accountId, window.from, window.to, limit]);
	}

	async agentOf(agentId: string, accountId: string): Promise<{ id: string; name: string; status: string } | undefined> {
		const [agent] = await this.dataSource.query(
			'SELECT id, name, status FROM agents WHERE id = $1 AND account_id = $2',
			[agentId, accountId],
		);
		return agent;
	}

	async stats(agentId: string, window: Window): Promise<StatsRow> {
		const [row] = await this.dataSource.query(STATS_SQL, [agentId, window.from, window.to]);
		return row as StatsRow;
	}

	series(agentId: string, window: Window, bucket: Bucket): Promise<SeriesRow[]> {
		return this.dataSource.query(SERIES_SQL, [agentId, window.from, window.to, bucket]);
	}

	costs(accountId: string, window: Window): Promise<CostRow[]> {
		const days = wholeDays(window);
		return this.dataSource.query(COSTS_SQL, [accountId, window.from, window.to, days.start, days.end]);
	}
}
