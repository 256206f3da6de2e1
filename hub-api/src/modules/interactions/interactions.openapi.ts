import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { authenticated, errors, json } from '../../http/openapi';
import { cursorPage } from '../../http/pagination';
import { interactionView, listInteractionsQuery, loggedInteraction, logInteractionBody } from './interactions.schemas';

export function registerInteractionsOpenApi(registry: OpenAPIRegistry): void {
	const logged = registry.register('LoggedInteraction', loggedInteraction);
	const interaction = registry.register('Interaction', interactionView);
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
				content: json(cursorPage('interactions', interaction)),
			},
			...errors(401, 403, 404, 422),
		},
	});
}
