import { z } from 'zod';
import type { ApiKeyScope } from '../../../../contracts/hub-api';
import type { Expect, MatchesContract } from '../../contract-check';
import { ROLES } from '../users/roles';

export const apiKeyName = z.string().trim().min(1).max(100);

// Unknown keys (`accountId`, `scope`, …) are stripped: a key always belongs to the caller's account.
export const createApiKeyBody = z.object({
	name: apiKeyName,
	expiresAt: z.iso.datetime({ offset: true }).optional(),
	/** At most the creator's own role. */
	role: z.enum(ROLES).default('member'),
});

export const apiKeyIdParams = z.object({ id: z.uuid() });

export const apiKeyScope = z.enum(['platform', 'account']);
export type ApiKeyScopeMatchesContract = Expect<MatchesContract<typeof apiKeyScope, ApiKeyScope>>;

/**
 * Returned exactly once, when the key is created (the OpenAPI component `CreatedApiKey`): `key` is the only copy of
 * the plaintext anywhere. `CreatedApiKey` is derived from it.
 */
export const createdApiKey = z.object({
	id: z.uuid(),
	name: z.string(),
	prefix: z.string(),
	role: z.enum(ROLES).nullable(),
	expiresAt: z.iso.datetime().nullable(),
	key: z.string().describe('The secret, shown once: send it as X-API-Key'),
});
export type CreatedApiKey = z.output<typeof createdApiKey>;

/** How a key is shown after creation (the OpenAPI component `ApiKey`): everything but the secret and its hash. */
export const apiKeyView = z.object({
	id: z.uuid(),
	name: z.string(),
	prefix: z.string(),
	scope: apiKeyScope,
	role: z.enum(ROLES).nullable(),
	lastUsedAt: z.iso.datetime().nullable(),
	expiresAt: z.iso.datetime().nullable(),
	revokedAt: z.iso.datetime().nullable(),
	/** Set once rotated: the key works until `expiresAt`, `replacedById` is its successor. */
	rotatedAt: z.iso.datetime().nullable(),
	replacedById: z.uuid().nullable(),
	createdAt: z.iso.datetime(),
});
export type ApiKeyView = z.output<typeof apiKeyView>;

/** What a rotation answers besides the successor: the replaced key, and when it stops working. */
export const replacedApiKey = z.object({ id: z.uuid(), expiresAt: z.iso.datetime() });
export type ReplacedApiKey = z.output<typeof replacedApiKey>;
