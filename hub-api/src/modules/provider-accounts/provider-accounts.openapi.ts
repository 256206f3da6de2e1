import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { authenticated, errors, json } from '../../http/openapi';
import { claimProviderAccountBody, listProviderAccountsQuery, providerAccountView } from './provider-accounts.schemas';

export function registerProviderAccountsOpenApi(registry: OpenAPIRegistry): void {
	const providerAccount = registry.register('ProviderAccount', providerAccountView);
	const tags = ['provider-accounts'];
	registry.registerPath({
		method: 'post',
		path: '/api/provider-accounts',
		tags,
		summary: 'Link a provider account (page, IG account, phone number id) to the account; idempotent',
		...authenticated('member'),
		request: { body: { content: json(claimProviderAccountBody) } },
		responses: {
			200: { description: 'Already linked to this account (updated)', content: json(z.object({ providerAccount })) },
			201: { description: 'Linked', content: json(z.object({ providerAccount })) },
			...errors(400, 401, 403, 404, 409, 422),
		},
	});
	registry.registerPath({
		method: 'get',
		path: '/api/provider-accounts',
		tags,
		summary: 'List the account\'s provider accounts',
		...authenticated('viewer'),
		request: { query: listProviderAccountsQuery },
		responses: {
			200: { description: 'Provider accounts', content: json(z.object({ providerAccounts: z.array(providerAccount) })) },
			...errors(401, 403, 404, 422),
		},
	});
}
