import type { Clock } from '../../clock';
import { notFound } from '../../errors';
import type { AnalyticsRepository, Bucket, Window } from './analytics.repository';
import type { AgentStatsView, CostsView, OverviewView, StatsPeriod } from './analytics.schemas';

const TOP_AGENTS = 5;
const DAY_MS = 86_400_000;
const BUCKET_OF_PERIOD: Record<StatsPeriod, Bucket> = { '7d': 'day', '4w': 'day', '3m': 'week' };

/** pg returns numeric and bigint as strings (exact); these figures fit a JS number. */
const toNumber = (value: string | number) => Number(value);
const toNullableNumber = (value: string | null) => (value === null ? null : Number(value));
/** Sums of numeric(12,6) costs, kept to the micro-dollar. */
const toCost = (value: string | number) => Math.round(Number(value) * 1e6) / 1e6;

export function periodWindow(period: StatsPeriod, now: Date): Window {
	const from = new Date(now);
	if (period === '7d') from.setTime(now.getTime() - 7 * DAY_MS);
	else if (period === '4w') from.setTime(now.getTime() - 28 * DAY_MS);
	else from.setUTCMonth(from.getUTCMonth() - 3);
	return { from, to: now };
}

export class AnalyticsService {
	constructor(private readonly repository: AnalyticsRepository, private readonly clock: Clock) {}

	async overview(accountId: string): Promise<OverviewView> {
		const now = this.clock();
		const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
		const day = { from, to: new Date(from.getTime() + DAY_MS) };
		const [row, top] = await Promise.all([
			this.repository.overview(accountId, day),
			this.repository.topAgents(accountId, day, TOP_AGENTS),
		]);
		return {
			day: { from: day.from.toISOString(), to: day.to.toISOString() },
			agents: row.agents,
			activeAgents: row.active_agents,
			executionsToday: row.executions,
			avgResponseTimeMs: toNullableNumber(row.avg_latency_ms),
			errorRate: toNumber(row.error_rate),
			topAgents: top.map((agent) => ({ id: agent.agent_id, name: agent.name, executions: agent.executions })),
		};
	}

	/** 404 for an agent of another account, as for one that does not exist. */
	async agentStats(accountId: string, agentId: string, period: StatsPeriod): Promise<AgentStatsView> {
		const agent = await this.repository.agentOf(agentId, accountId);
		if (!agent) throw notFound('agent');
		const window = periodWindow(period, this.clock());
		const [row, series] = await Promise.all([
			this.repository.stats(agentId, window),
			this.repository.series(agentId, window, BUCKET_OF_PERIOD[period]),
		]);
		const promptTokens = toNumber(row.prompt_tokens);
		const completionTokens = toNumber(row.completion_tokens);
		return {
			agent: { id: agent.id, name: agent.name, status: agent.status },
			period,
			from: window.from.toISOString(),
			to: window.to.toISOString(),
			stats: {
				totalExecutions: row.executions,
				successCount: row.successes,
				errorCount: row.errors,
				skippedCount: row.skipped,
				successRate: toNumber(row.success_rate),
				errorRate: toNumber(row.error_rate),
				avgResponseTimeMs: toNullableNumber(row.avg_latency_ms),
				p50ResponseTimeMs: toNullableNumber(row.p50_latency_ms),
				p95ResponseTimeMs: toNullableNumber(row.p95_latency_ms),
				promptTokens,
				completionTokens,
				totalTokens: promptTokens + completionTokens,
				costUsd: toCost(row.cost_usd),
				cacheHits: row.cache_hits,
				costSavedUsd: toCost(row.cost_saved_usd),
			},
			series: series.map((point) => ({
				bucket: point.bucket.toISOString(),
				executions: point.executions,
				errors: point.errors,
				avgResponseTimeMs: toNullableNumber(point.avg_latency_ms),
			})),
		};
	}

	async costs(accountId: string, period: StatsPeriod): Promise<CostsView> {
		const window = periodWindow(period, this.clock());
		const rows = await this.repository.costs(accountId, window);
		const agents = rows.map((row) => {
			const promptTokens = toNumber(row.prompt_tokens);
			const completionTokens = toNumber(row.completion_tokens);
			return {
				agentId: row.agent_id,
				name: row.name,
				executions: row.executions,
				promptTokens,
				completionTokens,
				totalTokens: promptTokens + completionTokens,
				costUsd: toCost(row.cost_usd),
				cacheHits: row.cache_hits,
				costSavedUsd: toCost(row.cost_saved_usd),
			};
		});
		// One row per agent of the account (tens), already summed by PostgreSQL: adding them up here is cheap.
		const total = agents.reduce(
			(sum, agent) => ({
				executions: sum.executions + agent.executions,
				promptTokens: sum.promptTokens + agent.promptTokens,
				completionTokens: sum.completionTokens + agent.completionTokens,
				totalTokens: sum.totalTokens + agent.totalTokens,
				costUsd: toCost(sum.costUsd + agent.costUsd),
				cacheHits: sum.cacheHits + agent.cacheHits,
				costSavedUsd: toCost(sum.costSavedUsd + agent.costSavedUsd),
			}),
			{ executions: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0, cacheHits: 0, costSavedUsd: 0 },
		);
		return { period, from: window.from.toISOString(), to: window.to.toISOString(), agents, total };
	}
}
