import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { claimProviderAccountBody, listProviderAccountsQuery, providerAccountView } from './provider-accounts.schemas';

export function registerProviderAccountsOpenApi(registry: OpenAPIRegistry): void {
	const providerAccount = registry.register('ProviderAccount', providerAccountView);
	const docs = documentRoutes(registry, 'provider-accounts');
	const claimed = z.object({ providerAccount });
	docs.post(
		'/api/provider-accounts',
		'Link a provider account (page, IG account, phone number id) to the account; idempotent. A new claim needs the platform key (a tenant proves ownership through OAuth: /api/social-accounts); a tenant may link its agent to what it holds',
		{
		...authenticated('member'),
		request: { body: { content: json(claimProviderAccountBody) } },
		responses: {
			200: answer('Already linked to this account (updated)', claimed),
			201: answer('Linked', claimed),
			...errors(400, 401, 403, 404, 409, 422),
		},
		},
	);
	docs.get('/api/provider-accounts', "List the account's provider accounts", {
		...authenticated('viewer'),
		request: { query: listProviderAccountsQuery },
		responses: {
			200: answer('Provider accounts', z.object({ providerAccounts: z.array(providerAccount) })),
			...errors(401, 403, 404, 422),
		},
	});
}
