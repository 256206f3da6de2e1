import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { accountView } from '../accounts/accounts.schemas';
import { userView } from '../users/users.schemas';
import { keyWhoAmI, loginBody, logoutBody, refreshBody, registerBody, sessionTokens } from './auth.schemas';

export function registerAuthOpenApi(registry: OpenAPIRegistry): void {
	// Named 'User' here and in users.openapi.ts: registering one schema twice under one name is one component.
	const user = registry.register('User', userView);
	const tokens = registry.register('SessionTokens', sessionTokens);
	const signedIn = z.object({ user, account: accountView, tokens });
	const docs = documentRoutes(registry, 'auth');
	/** Registering and signing in or out take no credentials: the body carries what the route needs. */
	const unauthenticated = (body: z.ZodType) => ({ security: [], request: { body: { content: json(body) } } });
	docs.post('/api/auth/register', 'Create an account with yourself as its owner, signed in', {
		...unauthenticated(registerBody),
		responses: { 201: answer('Registered', signedIn), ...errors(400, 409, 413, 422, 429) },
	});
	docs.post('/api/auth/login', 'Sign in (failed attempts are throttled per e-mail+IP and per IP)', {
		...unauthenticated(loginBody),
		responses: { 200: answer('Signed in', signedIn), ...errors(400, 401, 422, 429, 503) },
	});
	docs.post('/api/auth/refresh', 'Exchange a refresh token for a new pair; reusing a retired one ends the whole session', {
		...unauthenticated(refreshBody),
		responses: { 200: answer('New tokens', z.object({ tokens })), ...errors(400, 401, 422, 429) },
	});
	docs.post('/api/auth/logout', 'End the session of a refresh token (its access tokens stop working too)', {
		...unauthenticated(logoutBody),
		responses: { 204: { description: 'Signed out (also for an unknown token)' }, ...errors(400, 422, 429) },
	});
	docs.get('/api/auth/me', 'Who is calling: {user, account} for a person, WhoAmIResponse for an API key', {
		...authenticated('viewer'),
		responses: {
			200: answer('The caller', z.union([z.object({ user, account: accountView }), keyWhoAmI])),
			...errors(400, 401),
		},
	});
}
