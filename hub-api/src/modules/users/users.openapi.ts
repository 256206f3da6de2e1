import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { authenticated, errors, json } from '../../http/openapi';
import { userViewSchema } from '../auth/auth.openapi';
import { createUserBody, updateUserBody, userIdParams } from './users.schemas';

export function registerUsersOpenApi(registry: OpenAPIRegistry): void {
	const user = registry.register('User', userViewSchema);
	const tags = ['users'];
	registry.registerPath({
		method: 'get',
		path: '/api/users',
		tags,
		summary: 'The people of the caller\'s account',
		...authenticated('viewer'),
		responses: { 200: { description: 'People, oldest first', content: json(z.object({ users: z.array(user) })) }, ...errors(401, 403) },
	});
	registry.registerPath({
		method: 'post',
		path: '/api/users',
		tags,
		summary: 'Add a person to the account (role at most the caller\'s; default member)',
		...authenticated('admin'),
		request: { body: { content: json(createUserBody) } },
		responses: { 201: { description: 'Added', content: json(z.object({ user })) }, ...errors(400, 401, 403, 409, 422) },
	});
	registry.registerPath({
		method: 'patch',
		path: '/api/users/{id}',
		tags,
		summary: 'Change a person\'s role (never above the caller\'s; the account keeps an owner)',
		...authenticated('admin'),
		request: { params: userIdParams, body: { content: json(updateUserBody) } },
		responses: { 200: { description: 'Changed', content: json(z.object({ user })) }, ...errors(400, 401, 403, 404, 409, 422) },
	});
	registry.registerPath({
		method: 'delete',
		path: '/api/users/{id}',
		tags,
		summary: 'Remove a person (their sessions end at once; the account keeps an owner)',
		...authenticated('admin'),
		request: { params: userIdParams },
		responses: { 204: { description: 'Removed' }, ...errors(401, 403, 404, 409, 422) },
	});
}
