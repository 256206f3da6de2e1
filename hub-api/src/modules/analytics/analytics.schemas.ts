import { z } from 'zod';

export const STATS_PERIODS = ['7d', '4w', '3m'] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];

export const agentStatsParams = z.object({ id: z.uuid() });

export const agentStatsQuery = z
	.object({
		period: z.enum(STATS_PERIODS).default('7d'),
		/** Required with a platform key, ignored otherwise. */
		accountId: z.uuid().optional(),
	})
	.strip();

export const overviewQuery = z.object({ accountId: z.uuid().optional() }).strip();

export const costsQuery = z
	.object({
		period: z.enum(STATS_PERIODS).default('4w'),
		accountId: z.uuid().optional(),
	})
	.strip();

// The answers (OpenAPI components AnalyticsOverview, AgentStats, AnalyticsCosts), from which the views' types derive.
// Counts are integers; rates are percentages with 2 decimals; latencies are milliseconds, null when nothing ran.
const milliseconds = z.number().nullable().describe('Milliseconds; null when nothing ran');
const percent = z.number().describe('Percentage, 2 decimals; 0 when nothing ran');
/** Replies served from the AI answer cache, and what their model calls would have cost (not part of costUsd). */
const cacheSavings = {
	cacheHits: z.number().int().describe('Executions whose reply came from the AI answer cache (no model call)'),
	costSavedUsd: z.number().describe('What the model calls the answer cache replaced would have cost, USD'),
};

export const overviewView = z.object({
	/** Today = the current UTC day. */
	day: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }),
	agents: z.number().int(),
	activeAgents: z.number().int(),
	executionsToday: z.number().int(),
	avgResponseTimeMs: milliseconds,
	errorRate: percent,
	/** The five agents with the most executions today. */
	topAgents: z.array(z.object({ id: z.uuid(), name: z.string(), executions: z.number().int() })),
});
export type OverviewView = z.output<typeof overviewView>;

export const agentStatsView = z.object({
	agent: z.object({ id: z.uuid(), name: z.string(), status: z.string() }),
	period: z.enum(STATS_PERIODS),
	from: z.iso.datetime(),
	to: z.iso.datetime(),
	stats: z.object({
		totalExecutions: z.number().int(),
		successCount: z.number().int(),
		errorCount: z.number().int(),
		skippedCount: z.number().int(),
		successRate: percent,
		errorRate: percent,
		avgResponseTimeMs: milliseconds,
		p50ResponseTimeMs: milliseconds,
		p95ResponseTimeMs: milliseconds,
		promptTokens: z.number().int(),
		completionTokens: z.number().int(),
		totalTokens: z.number().int(),
		costUsd: z.number(),
		...cacheSavings,
	}),
	/** One point per UTC day (7d, 4w) or ISO week (3m), empty buckets included. */
	series: z.array(
		z.object({
			bucket: z.iso.datetime(),
			executions: z.number().int(),
			errors: z.number().int(),
			avgResponseTimeMs: milliseconds,
		}),
	),
});
export type AgentStatsView = z.output<typeof agentStatsView>;

const tokensAndCost = {
	executions: z.number().int(),
	promptTokens: z.number().int(),
	completionTokens: z.number().int(),
	totalTokens: z.number().int(),
	costUsd: z.number(),
	...cacheSavings,
};

export const costsView = z.object({
	period: z.enum(STATS_PERIODS),
	from: z.iso.datetime(),
	to: z.iso.datetime(),
	agents: z.array(z.object({ agentId: z.uuid(), name: z.string(), ...tokensAndCost })),
	total: z.object(tokensAndCost),
});
export type CostsView = z.output<typeof costsView>;
