import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { accountQuery, agentIdParams } from '../agents/agents.schemas';
import { agentScenarioView, putScenarioBody, scenarioSchema } from './scenarios.schemas';

export function registerScenariosOpenApi(registry: OpenAPIRegistry): void {
	registry.register('Scenario', scenarioSchema);
	const view = registry.register('AgentScenario', agentScenarioView);
	const docs = documentRoutes(registry, 'scenarios');
	const byId = { params: agentIdParams, query: accountQuery };
	docs.get(
		'/api/agents/{id}/scenario',
		"The agent's scenario in force (its newest version); an agent with none saved answers the default scenario, " +
			'version 0',
		{
			...authenticated('viewer'),
			request: byId,
			responses: { 200: answer('The scenario in force', view), ...errors(401, 403, 404, 422) },
		},
	);
	docs.put(
		'/api/agents/{id}/scenario',
		'Save a scenario as the agent\'s next version, in force from now on (earlier versions are kept, unchanged). ' +
			'Rules are checked when saved: 422 lists every problem (unknown placeholder, time zone or key, bad time ' +
			'range, duplicate rule id, a size bound exceeded…)',
		{
			...authenticated('member'),
			request: { ...byId, body: { content: json(putScenarioBody) } },
			responses: {
				200: answer('The version saved, now in force', view),
				...errors(400, 401, 403, 404, 409, 413, 422),
			},
		},
	);
}
