import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, authenticated, documentRoutes, errors, json, type RouteDocumentation } from '../../http/openapi';
import {
	accountQuery,
	agentDetailView,
	agentIdParams,
	agentView,
	createAgentBody,
	createFromTemplateBody,
	listAgentsQuery,
	retryAgentBody,
} from './agents.schemas';

/** Deployment failures name the agent left in ERROR so the client can retry it. */
const N8N_ERRORS = {
	502: { description: 'n8n refused or failed the call (`n8n_error`, `n8n_auth_failed`)' },
	503: { description: 'n8n is unreachable, or the hub has no N8N_URL (`n8n_unavailable`)' },
};

const n8nErrors = (...statuses: number[]) => {
	const documented = errors(...statuses);
	for (const [status, response] of Object.entries(N8N_ERRORS)) {
		documented[Number(status)] = { ...documented[Number(status)]!, description: response.description };
	}
	return documented;
};

export function registerAgentsOpenApi(registry: OpenAPIRegistry): void {
	const agent = registry.register('Agent', agentView);
	const detail = registry.register('AgentDetail', agentDetailView);
	const docs = documentRoutes(registry, 'agents');
	const oneAgent = { 200: answer('The agent', z.object({ agent: detail })) };
	const byId = { params: agentIdParams, query: accountQuery };
	/** An admin's operation on one agent in n8n: 409 while another runs or when the agent's state does not allow it. */
	const operation = (request: RouteDocumentation['request'], answers: RouteDocumentation['responses'] = oneAgent) => ({
		...authenticated('admin'),
		request,
		responses: { ...answers, ...n8nErrors(401, 403, 404, 409, 422, 502, 503) },
	});

	docs.post('/api/agents', 'Create an agent served by the shared pipeline (`accountId` only with the platform key)', {
		...authenticated('member'),
		request: { body: { content: json(createAgentBody) } },
		responses: { 201: answer('Created', z.object({ agent })), ...errors(400, 401, 403, 404, 422) },
	});
	docs.get('/api/agents', "List the account's agents (DELETED ones only with status=DELETED)", {
		...authenticated('viewer'),
		request: { query: listAgentsQuery },
		responses: { 200: answer('Agents', z.object({ agents: z.array(agent) })), ...errors(401, 403, 404, 422) },
	});
	docs.post(
		'/api/agents/from-template',
		'Install a template: validates `config` against its schema, creates the credentials and the workflow in n8n, ' +
			'publishes it. DEPLOYING → ACTIVE; on failure what was created is removed and the agent is left in ERROR ' +
			'(its id in error.details.agentId) for POST /{id}/retry',
		{
			...authenticated('admin'),
			request: { body: { content: json(createFromTemplateBody) } },
			responses: {
				201: answer('Installed and published', z.object({ agent: detail })),
				...n8nErrors(400, 401, 403, 404, 422, 502, 503),
			},
		},
	);
	docs.get('/api/agents/{id}', 'One agent with its counts and version history', {
		...authenticated('viewer'),
		request: byId,
		responses: { ...oneAgent, ...errors(401, 403, 404, 422) },
	});
	docs.put('/api/agents/{id}/toggle', 'ACTIVE ⇄ INACTIVE: publishes or unpublishes the workflow in n8n', operation(byId));
	docs.post(
		'/api/agents/{id}/retry',
		'Re-install an agent in ERROR (same id); send the secret configuration fields again',
		operation({ params: agentIdParams, body: { content: json(retryAgentBody) } }),
	);
	docs.post(
		'/api/agents/{id}/upgrade',
		"Replace the workflow with the catalogue's newer template version (same workflow, credentials, id)",
		operation(byId),
	);
	docs.post('/api/agents/{id}/rollback', 'Put back the workflow of the version before the current one', operation(byId));
	docs.delete(
		'/api/agents/{id}',
		'Unpublish and delete the workflow and credentials in n8n; the agent stays as DELETED history',
		operation(byId, { 204: { description: 'Deleted (also when already deleted)' } }),
	);
}
