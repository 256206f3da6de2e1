import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { PLAN_IDS } from '../../../../contracts/hub-api';
import { answer, documentRoutes, errors, json, platformOnly } from '../../http/openapi';
import { createdApiKeySchema } from '../api-keys/api-keys.openapi';
import { createAccountBody } from './accounts.schemas';

export const accountViewSchema = z.object({
	id: z.uuid(),
	name: z.string(),
	plan: z.enum(PLAN_IDS),
	createdAt: z.iso.datetime(),
});

export function registerAccountsOpenApi(registry: OpenAPIRegistry): void {
	const account = registry.register('Account', accountViewSchema);
	documentRoutes(registry, 'accounts').post(
		'/api/accounts',
		'Onboard a tenant (operator): the account and its first (owner) API key',
		{
			...platformOnly,
			request: { body: { content: json(createAccountBody) } },
			responses: {
				201: answer('Created; `apiKey.key` is shown only here', z.object({ account, apiKey: createdApiKeySchema })),
				...errors(400, 401, 403, 422),
			},
		},
	);
}
