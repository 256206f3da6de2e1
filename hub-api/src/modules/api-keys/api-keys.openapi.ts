import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { authenticated, errors, json } from '../../http/openapi';
import { ROLES } from '../users/roles';
import { apiKeyIdParams, createApiKeyBody } from './api-keys.schemas';

export const createdApiKeySchema = z.object({
	id: z.uuid(),
	name: z.string(),
	prefix: z.string(),
	role: z.enum(ROLES).nullable(),
	expiresAt: z.iso.datetime().nullable(),
	key: z.string().describe('The secret, shown once: send it as X-API-Key'),
});

const apiKeyViewSchema = z.object({
	id: z.uuid(),
	name: z.string(),
	prefix: z.string(),
	scope: z.enum(['platform', 'account']),
	role: z.enum(ROLES).nullable(),
	lastUsedAt: z.iso.datetime().nullable(),
	expiresAt: z.iso.datetime().nullable(),
	revokedAt: z.iso.datetime().nullable(),
	rotatedAt: z.iso.datetime().nullable(),
	replacedById: z.uuid().nullable(),
	createdAt: z.iso.datetime(),
});

export function registerApiKeysOpenApi(registry: OpenAPIRegistry): void {
	const created = registry.register('CreatedApiKey', createdApiKeySchema);
	const view = registry.register('ApiKey', apiKeyViewSchema);
	const common = { tags: ['api-keys'], ...authenticated('admin') };
	registry.registerPath({
		method: 'post',
		path: '/api/api-keys',
		summary: 'Create an account key (role at most the creator\'s; default member)',
		...common,
		request: { body: { content: json(createApiKeyBody) } },
		responses: {
			201: { description: 'Created; the secret is shown only here', content: json(z.object({ apiKey: created })) },
			...errors(400, 401, 403, 422),
		},
	});
	registry.registerPath({
		method: 'get',
		path: '/api/api-keys',
		summary: 'List the account\'s keys (never their secrets)',
		...common,
		responses: { 200: { description: 'Keys, newest first', content: json(z.object({ apiKeys: z.array(view) })) }, ...errors(401, 403) },
	});
	registry.registerPath({
		method: 'post',
		path: '/api/api-keys/{id}/rotate',
		summary: 'Replace a key: new secret shown once, the old one keeps working for API_KEY_ROTATION_GRACE',
		...common,
		request: { params: apiKeyIdParams },
		responses: {
			201: {
				description: 'The successor key, and when the replaced one stops working',
				content: json(z.object({ apiKey: created, replaced: z.object({ id: z.uuid(), expiresAt: z.iso.datetime() }) })),
			},
			...errors(401, 403, 404, 409, 422),
		},
	});
	registry.registerPath({
		method: 'delete',
		path: '/api/api-keys/{id}',
		summary: 'Revoke a key at once (idempotent)',
		...common,
		request: { params: apiKeyIdParams },
		responses: { 204: { description: 'Revoked' }, ...errors(401, 403, 404, 422) },
	});
}
