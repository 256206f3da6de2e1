import { z } from 'zod';
import { AGENT_TYPES } from '../templates/template-catalogue';
import { AGENT_STATUSES } from './agent.entity';

/** Input schemas strip unknown keys: a body cannot set status, accountId of another tenant, n8n ids… */
export const createAgentBody = z.object({
	name: z.string().trim().min(1).max(200),
	/** Required with a platform key, ignored with an account key. */
	accountId: z.uuid().optional(),
});

export const listAgentsQuery = z.object({
	accountId: z.uuid().optional(),
	status: z.enum(AGENT_STATUSES).optional(),
	type: z.enum(AGENT_TYPES).optional(),
});

export const agentIdParams = z.object({ id: z.uuid() });

/** Only with a platform key: names the account; an account key always acts for its own. */
export const accountQuery = z.object({ accountId: z.uuid().optional() });

const configuration = z.record(z.string(), z.unknown());

export const createFromTemplateBody = z.object({
	accountId: z.uuid().optional(),
	templateSlug: z.string().min(1).max(100),
	name: z.string().trim().min(1).max(200).optional(),
	/** Validated against the template's configSchema (GET /api/templates/:slug). */
	config: configuration,
});

export const retryAgentBody = z.object({
	accountId: z.uuid().optional(),
	/** Secrets again (they are never stored), and any field to change. */
	config: configuration.default({}),
});

/**
 * An agent as the hub answers it (the OpenAPI component `Agent`): the one declaration of its shape, from which
 * `AgentView` is derived, so the documented answer and the services' type cannot drift apart.
 */
export const agentView = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	name: z.string(),
	status: z.enum(AGENT_STATUSES),
	type: z.enum(AGENT_TYPES).nullable(),
	templateSlug: z.string().nullable(),
	templateVersion: z.string().nullable(),
	errorReason: z.string().nullable(),
	n8nWorkflowId: z.string().nullable(),
	/** Secrets went to n8n credentials only. */
	config: z.record(z.string(), z.unknown()).describe('The configuration without its secret (writeOnly) fields'),
	deployedAt: z.iso.datetime().nullable(),
	createdAt: z.iso.datetime(),
	updatedAt: z.iso.datetime(),
	deletedAt: z.iso.datetime().nullable(),
});
export type AgentView = z.output<typeof agentView>;

/** One agent with its counts and version history (`AgentDetail`): what every single-agent route answers. */
export const agentDetailView = agentView.extend({
	counts: z.object({ interactions: z.number().int(), versions: z.number().int() }),
	versions: z.array(
		z.object({
			version: z.number().int(),
			templateVersion: z.string(),
			deployedAt: z.iso.datetime(),
			current: z.boolean(),
		}),
	),
});
export type AgentDetailView = z.output<typeof agentDetailView>;
