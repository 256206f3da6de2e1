import type { SocialAccountStatus, SocialProvider } from '../../../../contracts/social-accounts';
import { columns, hubEntity } from '../../entity-schema';

/**
 * A tenant's OAuth connection to a provider: a Meta user (who manages pages and Instagram accounts), a TikTok business
 * account or a YouTube channel. `accessToken` and `refreshToken` hold SecretBox values (encrypted, bound to this row),
 * never plaintext (their columns are listed in secrets/reencrypt.ts for key rotation).
 */
export interface SocialAccount {
	id: string;
	accountId: string;
	provider: SocialProvider;
	/** The provider's id of what was connected: the Facebook user id, TikTok open_id, YouTube channel id. */
	externalId: string;
	name: string | null;
	status: SocialAccountStatus;
	accessToken: string;
	refreshToken: string | null;
	tokenExpiresAt: Date | null;
	refreshExpiresAt: Date | null;
	scopes: string | null;
	/** The person who connected it (null once that person is deleted). */
	connectedBy: string | null;
	refreshedAt: Date | null;
	createdAt: Date;
	updatedAt: Date;
}

export const SocialAccountEntity = hubEntity<SocialAccount>({
	name: 'SocialAccount',
	tableName: 'social_accounts',
	columns: {
		accountId: columns.accountId,
		provider: { type: 'text' },
		externalId: { type: 'text', name: 'external_id' },
		name: columns.optionalText,
		status: { type: 'text' },
		accessToken: { type: 'text', name: 'access_token' },
		refreshToken: { type: 'text', name: 'refresh_token', nullable: true },
		tokenExpiresAt: { ...columns.optionalTime, name: 'token_expires_at' },
		refreshExpiresAt: { ...columns.optionalTime, name: 'refresh_expires_at' },
		scopes: columns.optionalText,
		connectedBy: { type: 'uuid', name: 'connected_by', nullable: true },
		refreshedAt: { ...columns.optionalTime, name: 'refreshed_at' },
		createdAt: columns.createdAt,
		updatedAt: columns.updatedAt,
	},
	uniques: [{ name: 'social_accounts_provider_external_id_key', columns: ['provider', 'externalId'] }],
});
