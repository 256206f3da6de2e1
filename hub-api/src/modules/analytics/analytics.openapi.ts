import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { answer, authenticated, documentRoutes, errors } from '../../http/openapi';
import {
	agentStatsParams,
	agentStatsQuery,
	agentStatsView,
	costsQuery,
	costsView,
	overviewQuery,
	overviewView,
} from './analytics.schemas';

export function registerAnalyticsOpenApi(registry: OpenAPIRegistry): void {
	const docs = documentRoutes(registry, 'analytics');
	docs.get(
		'/api/analytics/overview',
		"Today's figures (UTC day) of the account: agents, executions, response time, error rate, top agents",
		{
			...authenticated('viewer'),
			request: { query: overviewQuery },
			responses: {
				200: answer('Overview', registry.register('AnalyticsOverview', overviewView)),
				...errors(401, 403, 404, 422),
			},
		},
	);
	docs.get('/api/analytics/costs', 'Tokens, AI cost, answer cache hits and cost saved per agent over a period (default 4w)', {
		...authenticated('viewer'),
		request: { query: costsQuery },
		responses: { 200: answer('Costs', registry.register('AnalyticsCosts', costsView)), ...errors(401, 403, 404, 422) },
	});
	docs.get(
		'/api/agents/{id}/stats',
		"An agent's executions, rates, latency percentiles, tokens, cost and cost saved by the answer cache, with a daily/weekly series",
		{
			tags: ['agents', 'analytics'],
			...authenticated('viewer'),
			request: { params: agentStatsParams, query: agentStatsQuery },
			responses: { 200: answer('Stats', registry.register('AgentStats', agentStatsView)), ...errors(401, 403, 404, 422) },
		},
	);
}
