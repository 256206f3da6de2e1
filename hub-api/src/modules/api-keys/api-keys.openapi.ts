import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { apiKeyIdParams, apiKeyView, createApiKeyBody, createdApiKey, replacedApiKey } from './api-keys.schemas';

export function registerApiKeysOpenApi(registry: OpenAPIRegistry): void {
	const created = registry.register('CreatedApiKey', createdApiKey);
	const view = registry.register('ApiKey', apiKeyView);
	const docs = documentRoutes(registry, 'api-keys');
	docs.post('/api/api-keys', "Create an account key (role at most the creator's; default member)", {
		...authenticated('admin'),
		request: { body: { content: json(createApiKeyBody) } },
		responses: {
			201: answer('Created; the secret is shown only here', z.object({ apiKey: created })),
			...errors(400, 401, 403, 422),
		},
	});
	docs.get('/api/api-keys', "List the account's keys (never their secrets)", {
		...authenticated('admin'),
		responses: { 200: answer('Keys, newest first', z.object({ apiKeys: z.array(view) })), ...errors(401, 403) },
	});
	docs.post('/api/api-keys/{id}/rotate', 'Replace a key: new secret shown once, the old one keeps working for API_KEY_ROTATION_GRACE', {
		...authenticated('admin'),
		request: { params: apiKeyIdParams },
		responses: {
			201: answer(
				'The successor key, and when the replaced one stops working',
				z.object({ apiKey: created, replaced: replacedApiKey }),
			),
			...errors(401, 403, 404, 409, 422),
		},
	});
	docs.delete('/api/api-keys/{id}', 'Revoke a key at once (idempotent)', {
		...authenticated('admin'),
		request: { params: apiKeyIdParams },
		responses: { 204: { description: 'Revoked' }, ...errors(401, 403, 404, 422) },
	});
}
