import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { INTERACTION_STATUSES } from '../../../../contracts/hub-api';
import { MESSAGE_KINDS, PROVIDERS } from '../../../../contracts/inbound-message';
import { authenticated, errors, json } from '../../http/openapi';
import { listInteractionsQuery, logInteractionBody } from './interactions.schemas';

const status = z.enum(INTERACTION_STATUSES);
const provider = z.enum(PROVIDERS);

const interactionResponseSchema = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	agentId: z.uuid().nullable(),
	provider,
	messageId: z.string(),
	conversationId: z.string(),
	status,
	reason: z.string().nullable(),
	createdAt: z.iso.datetime(),
	duplicate: z.boolean(),
});

const interactionViewSchema = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	agentId: z.uuid().nullable(),
	provider,
	kind: z.enum(MESSAGE_KINDS),
	messageId: z.string(),
	conversationId: z.string(),
	contact: z.object({ externalId: z.string(), name: z.string().nullable() }),
	inboundText: z.string().nullable(),
	status,
	reason: z.string().nullable(),
	reply: z
		.object({
			text: z.string(),
			externalId: z.string().nullable(),
			model: z.string().nullable(),
			promptTokens: z.number().int().nullable(),
			completionTokens: z.number().int().nullable(),
			costUsd: z.number().nullable(),
		})
		.nullable(),
	error: z.object({ message: z.string(), code: z.string().nullable(), httpStatus: z.number().int().nullable() }).nullable(),
	messageTimestamp: z.iso.datetime(),
	createdAt: z.iso.datetime(),
	updatedAt: z.iso.datetime(),
});

export function registerInteractionsOpenApi(registry: OpenAPIRegistry): void {
	const logged = registry.register('LoggedInteraction', interactionResponseSchema);
	const interaction = registry.register('Interaction', interactionViewSchema);
	const tags = ['interactions'];
	registry.registerPath({
		method: 'post',
		path: '/api/interactions',
		tags,
		summary: 'Log how the pipeline handled a message; idempotent per (account, provider, messageId)',
		...authenticated('member'),
		request: { body: { content: json(logInteractionBody) } },
		responses: {
			200: { description: 'Repeat: kept (duplicate) or replaced a failed row', content: json(logged) },
			201: { description: 'Logged', content: json(logged) },
			...errors(400, 401, 403, 404, 422),
		},
	});
	registry.registerPath({
		method: 'get',
		path: '/api/interactions',
		tags,
		summary: 'List interactions, newest first, keyset-paginated by `cursor`',
		...authenticated('viewer'),
		request: { query: listInteractionsQuery },
		responses: {
			200: {
				description: 'A page',
				content: json(z.object({ interactions: z.array(interaction), nextCursor: z.string().nullable() })),
			},
			...errors(401, 403, 404, 422),
		},
	});
}
