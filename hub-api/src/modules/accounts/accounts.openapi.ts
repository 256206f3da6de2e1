import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, documentRoutes, errors, json, platformOnly } from '../../http/openapi';
import { createdApiKey } from '../api-keys/api-keys.schemas';
import { accountView, createAccountBody } from './accounts.schemas';

export function registerAccountsOpenApi(registry: OpenAPIRegistry): void {
	const account = registry.register('Account', accountView);
	documentRoutes(registry, 'accounts').post(
		'/api/accounts',
		'Onboard a tenant (operator): the account and its first (owner) API key',
		{
			...platformOnly,
			request: { body: { content: json(createAccountBody) } },
			responses: {
				201: answer('Created; `apiKey.key` is shown only here', z.object({ account, apiKey: createdApiKey })),
				...errors(400, 401, 403, 422),
			},
		},
	);
}
