import type { RequestHandler, Response } from 'express';
import type { ApiKeyScope } from '../../../contracts/hub-api';
import { HubError } from '../errors';
import type { ApiKeysService } from '../modules/api-keys/api-keys.service';
import type { AccessTokenVerifier, ApiKeyPrincipal, Principal } from '../modules/auth/principal';
import { type Role, roleAtLeast } from '../modules/users/roles';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * `Authorization: Bearer <jwt>` (people) or `X-API-Key` (machines). A request carrying both is refused rather than
 * guessing which identity it meant; one carrying neither gets the API-key answer (401 invalid_api_key), as before
 * people could log in, so machine clients see no change.
 */
export function authenticate(apiKeys: ApiKeysService, accessTokens: AccessTokenVerifier): RequestHandler {
	return async (req, res, next) => {
		const authorization = req.get('authorization');
		const apiKey = req.get('x-api-key');
		if (authorization !== undefined && apiKey !== undefined) {
			throw new HubError(400, 'ambiguous_credentials', 'Send either Authorization or X-API-Key, not both');
		}
		if (authorization !== undefined) {
			const token = BEARER.exec(authorization)?.[1];
			if (!token) throw new HubError(401, 'invalid_token', 'Authorization must be "Bearer <access token>"');
			res.locals.principal = await accessTokens.authenticateAccessToken(token);
		} else {
			const key = await apiKeys.authenticate(apiKey);
			res.locals.principal = {
				kind: 'api_key',
				scope: key.scope,
				accountId: key.accountId,
				role: key.role,
				apiKey: key,
			} satisfies ApiKeyPrincipal;
		}
		next();
	};
}

export function principalOf(res: Response): Principal {
	const principal = res.locals.principal as Principal | undefined;
	if (!principal) throw new Error('principalOf() used on a route without authenticate()');
	return principal;
}

/** 403 (not 401): the key is valid, it just is not allowed here. */
export function requireScope(scope: ApiKeyScope): RequestHandler {
	return (_req, res, next) => {
		if (principalOf(res).scope !== scope) {
			throw new HubError(
				403,
				'insufficient_scope',
				`This route needs ${scope === 'platform' ? 'a platform' : 'an account'} API key`,
			);
		}
		next();
	};
}

/**
 * At least `minimum` inside the account (viewer < member < admin < owner). Platform keys pass: they are the
 * operator's pipeline acting across accounts; a route that tenants alone may use adds requireScope('account').
 */
export function requireRole(minimum: Role): RequestHandler {
	return (_req, res, next) => {
		const { role } = principalOf(res);
		if (role !== null && !roleAtLeast(role, minimum)) {
			throw new HubError(403, 'insufficient_role', `This route needs the ${minimum} role or higher`);
		}
		next();
	};
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const requireViewer = requireRole('viewer');
const requireMember = requireRole('member');

/**
 * The floor applied where a router is mounted, so no route is ever unguarded: reading needs viewer, anything else
 * member. Routes that need more (managing keys, billing …) add requireRole themselves.
 */
export const requireDefaultRole: RequestHandler = (req, res, next) =>
	(READ_METHODS.has(req.method) ? requireViewer : requireMember)(req, res, next);

/** The account the caller acts for when the route requires an account key. */
export function ownAccountId(res: Response): string {
	const { accountId } = principalOf(res);
	if (!accountId) throw new Error('ownAccountId() used on a route without requireScope("account")');
	return accountId;
}
