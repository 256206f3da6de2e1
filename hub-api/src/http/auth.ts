import type { RequestHandler, Response } from 'express';
import type { ApiKeyScope } from '../../../contracts/hub-api';
import { HubError } from '../errors';
import type { ApiKey } from '../modules/api-keys/api-key.entity';
import type { ApiKeysService } from '../modules/api-keys/api-keys.service';

/** Who is calling: the authenticated key. Kept on res.locals by `authenticate`. */
export type Principal = ApiKey;

export function authenticate(apiKeys: ApiKeysService): RequestHandler {
	return async (req, res, next) => {
		res.locals.principal = await apiKeys.authenticate(req.get('x-api-key'));
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

/** The account the caller acts for when the route requires an account key. */
export function ownAccountId(res: Response): string {
	const { accountId } = principalOf(res);
	if (!accountId) throw new Error('ownAccountId() used on a route without requireScope("account")');
	return accountId;
}
