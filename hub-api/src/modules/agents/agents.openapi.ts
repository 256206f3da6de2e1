import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { authenticated, errors, json } from '../../http/openapi';
import { AGENT_STATUSES } from './agent.entity';
import { createAgentBody, listAgentsQuery } from './agents.schemas';

const agentViewSchema = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	name: z.string(),
	status: z.enum(AGENT_STATUSES),
	createdAt: z.iso.datetime(),
});

export function registerAgentsOpenApi(registry: OpenAPIRegistry): void {
	const agent = registry.register('Agent', agentViewSchema);
	registry.registerPath({
		method: 'post',
		path: '/api/agents',
		tags: ['agents'],
		summary: 'Create an agent (`accountId` only with the platform key)',
		...authenticated('member'),
		request: { body: { content: json(createAgentBody) } },
		responses: { 201: { description: 'Created', content: json(z.object({ agent })) }, ...errors(400, 401, 403, 404, 422) },
	});
	registry.registerPath({
		method: 'get',
		path: '/api/agents',
		tags: ['agents'],
		summary: 'List the account\'s agents',
		...authenticated('viewer'),
		request: { query: listAgentsQuery },
		responses: { 200: { description: 'Agents', content: json(z.object({ agents: z.array(agent) })) }, ...errors(401, 403, 404, 422) },
	});
}
