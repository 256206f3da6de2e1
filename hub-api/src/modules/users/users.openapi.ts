import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { createUserBody, updateUserBody, userIdParams, userView } from './users.schemas';

export function registerUsersOpenApi(registry: OpenAPIRegistry): void {
	const user = registry.register('User', userView);
	const docs = documentRoutes(registry, 'users');
	docs.get('/api/users', "The people of the caller's account", {
		...authenticated('viewer'),
		responses: { 200: answer('People, oldest first', z.object({ users: z.array(user) })), ...errors(401, 403) },
	});
	docs.post('/api/users', "Add a person to the account (role at most the caller's; default member)", {
		...authenticated('admin'),
		request: { body: { content: json(createUserBody) } },
		responses: { 201: answer('Added', z.object({ user })), ...errors(400, 401, 403, 409, 422) },
	});
	docs.patch('/api/users/{id}', "Change a person's role (never above the caller's; the account keeps an owner)", {
		...authenticated('admin'),
		request: { params: userIdParams, body: { content: json(updateUserBody) } },
		responses: { 200: answer('Changed', z.object({ user })), ...errors(400, 401, 403, 404, 409, 422) },
	});
	docs.delete('/api/users/{id}', 'Remove a person (their sessions end at once; the account keeps an owner)', {
		...authenticated('admin'),
		request: { params: userIdParams },
		responses: { 204: { description: 'Removed' }, ...errors(401, 403, 404, 409, 422) },
	});
}
