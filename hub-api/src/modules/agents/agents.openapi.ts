import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { authenticated, errors, json } from '../../http/openapi';
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

export function registerAgentsOpenApi(registry: OpenAPIRegistry): void {
	const agent = registry.register('Agent', agentView);
	const detail = registry.register('AgentDetail', agentDetailView);
	const tags = ['agents'];
	const oneAgent = { 200: { description: 'The agent', content: json(z.object({ agent: detail })) } };
	const byId = { params: agentIdParams, query: accountQuery };
	const n8nErrors = (...statuses: number[]) => {
		const documented = errors(...statuses);
		for (const [status, response] of Object.entries(N8N_ERRORS)) {
			documented[Number(status)] = { ...documented[Number(status)]!, description: response.description };
		}
		return documented;
	};

	registry.registerPath({
		method: 'post',
		path: '/api/agents',
		tags,
		summary: 'Create an agent served by the shared pipeline (`accountId` only with the platform key)',
		...authenticated('member'),
		request: { body: { content: json(createAgentBody) } },
		responses: { 201: { description: 'Created', content: json(z.object({ agent })) }, ...errors(400, 401, 403, 404, 422) },
	});
	registry.registerPath({
		method: 'get',
		path: '/api/agents',
		tags,
		summary: "List the account's agents (DELETED ones only with status=DELETED)",
		...authenticated('viewer'),
		request: { query: listAgentsQuery },
		responses: { 200: { description: 'Agents', content: json(z.object({ agents: z.array(agent) })) }, ...errors(401, 403, 404, 422) },
	});
	registry.registerPath({
		method: 'post',
		path: '/api/agents/from-template',
		tags,
		summary:
			'Install a template: validates `config` against its schema, creates the credentials and the workflow in n8n, ' +
			'publishes it. DEPLOYING → ACTIVE; on failure what was created is removed and the agent is left in ERROR ' +
			'(its id in error.details.agentId) for POST /{id}/retry',
		...authenticated('admin'),
		request: { body: { content: json(createFromTemplateBody) } },
		responses: {
			201: { description: 'Installed and published', content: json(z.object({ agent: detail })) },
			...n8nErrors(400, 401, 403, 404, 422, 502, 503),
		},
	});
	registry.registerPath({
		method: 'get',
		path: '/api/agents/{id}',
		tags,
		summary: 'One agent with its counts and version history',
		...authenticated('viewer'),
		request: byId,
		responses: { ...oneAgent, ...errors(401, 403, 404, 422) },
	});
	registry.registerPath({
		method: 'put',
		path: '/api/agents/{id}/toggle',
		tags,
		summary: 'ACTIVE ⇄ INACTIVE: publishes or unpublishes the workflow in n8n',
		...authenticated('admin'),
		request: byId,
		responses: { ...oneAgent, ...n8nErrors(401, 403, 404, 409, 422, 502, 503) },
	});
	registry.registerPath({
		method: 'post',
		path: '/api/agents/{id}/retry',
		tags,
		summary: 'Re-install an agent in ERROR (same id); send the secret configuration fields again',
		...authenticated('admin'),
		request: { params: agentIdParams, body: { content: json(retryAgentBody) } },
		responses: { ...oneAgent, ...n8nErrors(401, 403, 404, 409, 422, 502, 503) },
	});
	registry.registerPath({
		method: 'post',
		path: '/api/agents/{id}/upgrade',
		tags,
		summary: "Replace the workflow with the catalogue's newer template version (same workflow, credentials, id)",
		...authenticated('admin'),
		request: byId,
		responses: { ...oneAgent, ...n8nErrors(401, 403, 404, 409, 422, 502, 503) },
	});
	registry.registerPath({
		method: 'post',
		path: '/api/agents/{id}/rollback',
		tags,
		summary: 'Put back the workflow of the version before the current one',
		...authenticated('admin'),
		request: byId,
		responses: { ...oneAgent, ...n8nErrors(401, 403, 404, 409, 422, 502, 503) },
	});
	registry.registerPath({
		method: 'delete',
		path: '/api/agents/{id}',
		tags,
		summary: 'Unpublish and delete the workflow and credentials in n8n; the agent stays as DELETED history',
		...authenticated('admin'),
		request: byId,
		responses: { 204: { description: 'Deleted (also when already deleted)' }, ...n8nErrors(401, 403, 404, 409, 422, 502, 503) },
	});
}
