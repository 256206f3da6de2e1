import type { ApiKeyScope } from '../../../../contracts/hub-api';
import type { ApiKey } from '../api-keys/api-key.entity';
import type { Role } from '../users/roles';

/** A machine calling with `X-API-Key`: a tenant's account key, or a platform key of the hub operator. */
export interface ApiKeyPrincipal {
	kind: 'api_key';
	scope: ApiKeyScope;
	/** The account acted for; null only for platform keys. */
	accountId: string | null;
	/** null for platform keys, which act for the operator across accounts (see requireRole). */
	role: Role | null;
	apiKey: ApiKey;
}

/** A person calling with `Authorization: Bearer <access token>`, always inside their own account. */
export interface UserPrincipal {
	kind: 'user';
	scope: 'account';
	accountId: string;
	role: Role;
	userId: string;
	/** The login session (refresh-token family) the access token belongs to. */
	sessionId: string;
}

/** Who is calling. Kept on res.locals by `authenticate`; read it with `principalOf(res)`. */
export type Principal = ApiKeyPrincipal | UserPrincipal;

export interface AccessTokenVerifier {
	/** Resolves the person behind a Bearer token, or throws a 401 HubError. */
	authenticateAccessToken(token: string): Promise<UserPrincipal>;
}
