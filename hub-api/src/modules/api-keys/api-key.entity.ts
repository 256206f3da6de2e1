import { columns, hubEntity } from '../../entity-schema';
import type { ApiKeyScope } from '../../../../contracts/hub-api';
import type { Role } from '../users/roles';

export interface ApiKey {
	id: string;
	/** null for platform keys, which belong to the hub operator rather than a tenant. */
	accountId: string | null;
	scope: ApiKeyScope;
	/** What an account key may do; null for platform keys. */
	role: Role | null;
	name: string;
	/** Public, unique part of the key: shown in lists and used to find the row. */
	prefix: string;
	/** Hex sha256 of the whole key; the plaintext is never stored. */
	keyHash: string;
	lastUsedAt: Date | null;
	expiresAt: Date | null;
	revokedAt: Date | null;
	/** Set when the key was rotated: it keeps working until `expiresAt` (the grace period), then only its successor. */
	rotatedAt: Date | null;
	replacedById: string | null;
	createdAt: Date;
}

export const ApiKeyEntity = hubEntity<ApiKey>({
	name: 'ApiKey',
	tableName: 'api_keys',
	columns: {
		accountId: { type: 'uuid', name: 'account_id', nullable: true },
		scope: { type: 'text' },
		role: { type: 'text', nullable: true },
		name: { type: 'text' },
		prefix: { type: 'text', unique: true },
		keyHash: { type: 'text', name: 'key_hash' },
		lastUsedAt: { type: 'timestamptz', name: 'last_used_at', nullable: true },
		expiresAt: { type: 'timestamptz', name: 'expires_at', nullable: true },
		revokedAt: { type: 'timestamptz', name: 'revoked_at', nullable: true },
		rotatedAt: { type: 'timestamptz', name: 'rotated_at', nullable: true },
		replacedById: { type: 'uuid', name: 'replaced_by_id', nullable: true },
		createdAt: columns.createdAt,
	},
});
