import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { PLAN_IDS } from '../../../../contracts/hub-api';
import { authenticated, errors, json } from '../../http/openapi';
import { accountViewSchema } from '../accounts/accounts.openapi';
import { ROLES } from '../users/roles';
import { loginBody, logoutBody, refreshBody, registerBody } from './auth.schemas';

export const userViewSchema = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	email: z.email(),
	name: z.string().nullable(),
	role: z.enum(ROLES),
	createdAt: z.iso.datetime(),
});

const tokensSchema = z.object({
	tokenType: z.literal('Bearer'),
	accessToken: z.string().describe('JWT; send as Authorization: Bearer <token>'),
	expiresIn: z.number().int().describe('Seconds the access token is valid for (JWT_ACCESS_EXPIRY)'),
	accessTokenExpiresAt: z.iso.datetime(),
	refreshToken: z.string().describe('Opaque, single use: /api/auth/refresh returns a new pair and retires it'),
	refreshTokenExpiresAt: z.iso.datetime(),
});

/** contracts/hub-api.ts WhoAmIResponse: what the n8n credential test reads. */
const keyWhoAmISchema = z.object({
	apiKey: z.object({ id: z.uuid(), name: z.string(), prefix: z.string(), scope: z.enum(['platform', 'account']) }),
	account: z.object({ id: z.uuid(), name: z.string(), plan: z.enum(PLAN_IDS) }).nullable(),
});

export function registerAuthOpenApi(registry: OpenAPIRegistry): void {
	// Named 'User' here and in users.openapi.ts: registering one schema twice under one name is one component.
	const user = registry.register('User', userViewSchema);
	const tokens = registry.register('SessionTokens', tokensSchema);
	const signedIn = z.object({ user, account: accountViewSchema, tokens });
	const tags = ['auth'];
	registry.registerPath({
		method: 'post',
		path: '/api/auth/register',
		tags,
		summary: 'Create an account with yourself as its owner, signed in',
		security: [],
		request: { body: { content: json(registerBody) } },
		responses: { 201: { description: 'Registered', content: json(signedIn) }, ...errors(400, 409, 413, 422, 429) },
	});
	registry.registerPath({
		method: 'post',
		path: '/api/auth/login',
		tags,
		summary: 'Sign in (failed attempts are throttled per e-mail+IP and per IP)',
		security: [],
		request: { body: { content: json(loginBody) } },
		responses: { 200: { description: 'Signed in', content: json(signedIn) }, ...errors(400, 401, 422, 429, 503) },
	});
	registry.registerPath({
		method: 'post',
		path: '/api/auth/refresh',
		tags,
		summary: 'Exchange a refresh token for a new pair; reusing a retired one ends the whole session',
		security: [],
		request: { body: { content: json(refreshBody) } },
		responses: { 200: { description: 'New tokens', content: json(z.object({ tokens })) }, ...errors(400, 401, 422, 429) },
	});
	registry.registerPath({
		method: 'post',
		path: '/api/auth/logout',
		tags,
		summary: 'End the session of a refresh token (its access tokens stop working too)',
		security: [],
		request: { body: { content: json(logoutBody) } },
		responses: { 204: { description: 'Signed out (also for an unknown token)' }, ...errors(400, 422, 429) },
	});
	registry.registerPath({
		method: 'get',
		path: '/api/auth/me',
		tags,
		summary: 'Who is calling: {user, account} for a person, WhoAmIResponse for an API key',
		...authenticated('viewer'),
		responses: {
			200: {
				description: 'The caller',
				content: json(z.union([z.object({ user, account: accountViewSchema }), keyWhoAmISchema])),
			},
			...errors(400, 401),
		},
	});
}
