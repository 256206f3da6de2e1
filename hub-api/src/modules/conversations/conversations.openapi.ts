import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { cursorPage } from '../../cursor-page';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import {
	accountScope,
	conversationHandlerAnswer,
	conversationHandlerQuery,
	conversationMessage,
	conversationParams,
	conversationView,
	listConversationsQuery,
	listMessagesQuery,
} from './conversations.schemas';

export function registerConversationsOpenApi(registry: OpenAPIRegistry): void {
	const conversation = registry.register('Conversation', conversationView);
	const message = registry.register('ConversationMessage', conversationMessage);
	const handlerChange = registry.register(
		'ConversationHandlerChange',
		z.object({ conversation, changed: z.boolean().describe('false: it already was so (nothing changed, no event)') }),
	);
	const docs = documentRoutes(registry, 'conversations');
	docs.get(
		'/api/conversations',
		'List conversations, newest activity first, keyset-paginated by `cursor`, each with its handler, last message and ' +
			'lead; `handler=human` lists those a person holds',
		{
			...authenticated('viewer'),
			request: { query: listConversationsQuery },
			responses: { 200: answer('A page', cursorPage('conversations', conversation)), ...errors(401, 403, 404, 422) },
		},
	);
	docs.get(
		'/api/conversations/handler',
		'Who answers a conversation, by its provider id: what the pipeline reads right before sending. An unknown ' +
			'conversation is the AI\'s',
		{
			...authenticated('viewer'),
			request: { query: conversationHandlerQuery },
			responses: { 200: answer('The handler', conversationHandlerAnswer), ...errors(401, 403, 404, 422) },
		},
	);
	docs.get('/api/conversations/{id}', "One conversation (another account's id answers 404)", {
		...authenticated('viewer'),
		request: { params: conversationParams, query: accountScope },
		responses: { 200: answer('The conversation', conversation), ...errors(401, 403, 404, 422) },
	});
	docs.get(
		'/api/conversations/{id}/messages',
		'The conversation\'s messages, oldest first, keyset-paginated by `cursor`: each message the contact sent, with ' +
			'the reply sent to it',
		{
			...authenticated('viewer'),
			request: { params: conversationParams, query: listMessagesQuery },
			responses: { 200: answer('A page', cursorPage('messages', message)), ...errors(401, 403, 404, 422) },
		},
	);
	const change = (path: string, summary: string) =>
		docs.post(path, summary, {
			...authenticated('member'),
			request: { params: conversationParams, body: { content: json(accountScope), required: false } },
			responses: { 200: answer('The conversation as it now is', handlerChange), ...errors(400, 401, 403, 404, 422) },
		});
	change(
		'/api/conversations/{id}/handover',
		'A person takes the conversation over: the AI stops answering it (live event `conversation:handler`); idempotent',
	);
	change(
		'/api/conversations/{id}/release',
		'The conversation goes back to the AI (live event `conversation:handler`); idempotent',
	);
}
