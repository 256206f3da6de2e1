import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, authenticated, documentRoutes, errors } from '../../http/openapi';
import { agentStatsParams, agentStatsQuery, costsQuery, overviewQuery, STATS_PERIODS } from './analytics.schemas';

const milliseconds = z.number().nullable().describe('Milliseconds; null when nothing ran');
const percent = z.number().describe('Percentage, 2 decimals; 0 when nothing ran');

const overviewSchema = z.object({
	day: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }),
	agents: z.number().int(),
	activeAgents: z.number().int(),
	executionsToday: z.number().int(),
	avgResponseTimeMs: milliseconds,
	errorRate: percent,
	topAgents: z.array(z.object({ id: z.uuid(), name: z.string(), executions: z.number().int() })),
});

const statsSchema = z.object({
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
	}),
	series: z.array(
		z.object({
			bucket: z.iso.datetime(),
			executions: z.number().int(),
			errors: z.number().int(),
			avgResponseTimeMs: milliseconds,
		}),
	),
});

const tokensAndCost = {
	executions: z.number().int(),
	promptTokens: z.number().int(),
	completionTokens: z.number().int(),
	totalTokens: z.number().int(),
	costUsd: z.number(),
};

const costsSchema = z.object({
	period: z.enum(STATS_PERIODS),
	from: z.iso.datetime(),
	to: z.iso.datetime(),
	agents: z.array(z.object({ agentId: z.uuid(), name: z.string(), ...tokensAndCost })),
	total: z.object(tokensAndCost),
});

export function registerAnalyticsOpenApi(registry: OpenAPIRegistry): void {
	const docs = documentRoutes(registry, 'analytics');
	docs.get(
		'/api/analytics/overview',
		"Today's figures (UTC day) of the account: agents, executions, response time, error rate, top agents",
		{
			...authenticated('viewer'),
			request: { query: overviewQuery },
			responses: {
				200: answer('Overview', registry.register('AnalyticsOverview', overviewSchema)),
				...errors(401, 403, 404, 422),
			},
		},
	);
	docs.get('/api/analytics/costs', 'Tokens and AI cost per agent over a period (default 4w)', {
		...authenticated('viewer'),
		request: { query: costsQuery },
		responses: { 200: answer('Costs', registry.register('AnalyticsCosts', costsSchema)), ...errors(401, 403, 404, 422) },
	});
	docs.get(
		'/api/agents/{id}/stats',
		"An agent's executions, rates, latency percentiles, tokens and cost, with a daily/weekly series",
		{
			tags: ['agents', 'analytics'],
			...authenticated('viewer'),
			request: { params: agentStatsParams, query: agentStatsQuery },
			responses: { 200: answer('Stats', registry.register('AgentStats', statsSchema)), ...errors(401, 403, 404, 422) },
		},
	);
}
