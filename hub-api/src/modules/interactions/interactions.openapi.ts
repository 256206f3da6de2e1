import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { cursorPage } from '../../cursor-page';
import { interactionView, listInteractionsQuery, loggedInteraction, logInteractionBody } from './interactions.schemas';

export function registerInteractionsOpenApi(registry: OpenAPIRegistry): void {
	const logged = registry.register('LoggedInteraction', loggedInteraction);
	const interaction = registry.register('Interaction', interactionView);
	const docs = documentRoutes(registry, 'interactions');
	docs.post('/api/interactions', 'Log how the pipeline handled a message; idempotent per (account, provider, messageId)', {
		...authenticated('member'),
		request: { body: { content: json(logInteractionBody) } },
		responses: {
			200: answer('Repeat: kept (duplicate) or replaced a failed row', logged),
			201: answer('Logged', logged),
			...errors(400, 401, 403, 404, 422),
		},
	});
	docs.get('/api/interactions', 'List interactions, newest first, keyset-paginated by `cursor`', {
		...authenticated('viewer'),
		request: { query: listInteractionsQuery },
		responses: { 200: answer('A page', cursorPage('interactions', interaction)), ...errors(401, 403, 404, 422) },
	});
}
