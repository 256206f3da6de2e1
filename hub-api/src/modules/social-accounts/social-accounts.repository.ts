import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Provider } from '../../../../contracts/inbound-message';
import type { SocialProvider } from '../../../../contracts/social-accounts';
import { HubError } from '../../errors';
import type { SecretBox } from '../../secrets/secret-box';
import type { ConnectedIdentity, ProviderTokens } from './providers/provider';
import { type SocialAccount, SocialAccountEntity } from './social-account.entity';

/** A provider account the connection proved, as the callback reports it. */
export interface ChannelClaim {
	provider: Provider;
	externalId: string;
	name: string | null;
}

export interface SavedConnection {
	socialAccount: SocialAccount;
	/** Claimed for this tenant (new, or already its own and now proven). */
	claimed: ChannelClaim[];
	/** Held by another tenant: reported, never moved (the operator settles who owns a page). */
	conflicts: ChannelClaim[];
}

/** A Meta page or Instagram account's send token, with the connection that gave it. */
export interface PageToken {
	accessToken: string;
	socialAccount: SocialAccount;
}

/**
 * Social accounts and the provider accounts they prove. Every token is written through the SecretBox, bound to its
 * table, column and row (so a row's id is chosen before its first token is encrypted), and read back through it.
 */
export class SocialAccountsRepository {
	constructor(
		private readonly dataSource: DataSource,
		private readonly box: SecretBox,
	) {}

	private seal(table: string, column: string, rowId: string, value: string | null): string | null {
		return value === null ? null : this.box.encrypt(value, { table, column, rowId });
	}

	/** The plaintext access or refresh token of a social account (SecretUnreadableError if it cannot be read). */
	reveal(row: SocialAccount, column: 'access_token' | 'refresh_token'): string | null {
		const stored = column === 'access_token' ? row.accessToken : row.refreshToken;
		return stored === null ? null : this.box.decrypt(stored, { table: 'social_accounts', column, rowId: row.id });
	}

	private tokenColumns(id: string, tokens: ProviderTokens) {
		return {
			access_token: this.seal('social_accounts', 'access_token', id, tokens.accessToken),
			refresh_token: this.seal('social_accounts', 'refresh_token', id, tokens.refreshToken),
			token_expires_at: tokens.expiresAt,
			refresh_expires_at: tokens.refreshExpiresAt,
			scopes: tokens.scopes,
		};
	}

	/**
	 * Stores a completed OAuth connection and claims what it proves, in one transaction. Connecting the same provider
	 * account again (new consent, new tokens) updates the row; one held by another tenant is a 409. Provider accounts
	 * held by another tenant are reported in `conflicts`.
	 */
	async saveConnection(accountId: string, connectedBy: string, provider: SocialProvider, identity: ConnectedIdentity): Promise<SavedConnection> {
		return this.dataSource.transaction(async (manager) => {
			// Two callbacks for the same provider account serialise here (the insert's unique key backs it up).
			const [existing] = (await manager.query(
				`SELECT id, account_id FROM social_accounts WHERE provider = $1 AND external_id = $2 FOR UPDATE`,
				[provider, identity.externalId],
			)) as { id: string; account_id: string }[];
			if (existing && existing.account_id !== accountId) {
				throw new HubError(409, 'social_account_taken', `This ${provider} account is connected to another SkyBot account`);
			}
			const id = existing?.id ?? randomUUID();
			const columns = this.tokenColumns(id, identity.tokens);
			await manager.query(
				`INSERT INTO social_accounts (id, account_id, provider, external_id, name, status, access_token, refresh_token,
					token_expires_at, refresh_expires_at, scopes, connected_by, refreshed_at)
				VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9, $10, $11, now())
				ON CONFLICT (provider, external_id) DO UPDATE SET name = EXCLUDED.name, status = 'active',
					access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,
					token_expires_at = EXCLUDED.token_expires_at, refresh_expires_at = EXCLUDED.refresh_expires_at,
					scopes = EXCLUDED.scopes, connected_by = EXCLUDED.connected_by, refreshed_at = now(), updated_at = now()`,
				[id, accountId, provider, identity.externalId, identity.name, columns.access_token, columns.refresh_token,
					columns.token_expires_at, columns.refresh_expires_at, columns.scopes, connectedBy],
			);
			const claimed: ChannelClaim[] = [];
			const conflicts: ChannelClaim[] = [];
			for (const channel of identity.channels) {
				const claim = { provider: channel.provider, externalId: channel.externalId, name: channel.name };
				const ours = await this.claimChannel(manager, accountId, id, channel.accessToken, claim);
				(ours ? claimed : conflicts).push(claim);
			}
			const socialAccount = await manager.getRepository(SocialAccountEntity).findOneByOrFail({ id });
			return { socialAccount, claimed, conflicts };
		});
	}

	/** Claims one proven provider account for the tenant (or attaches the proof to its own claim); false if another holds it. */
	private async claimChannel(manager: EntityManager, accountId: string, socialAccountId: string, accessToken: string | null, claim: ChannelClaim): Promise<boolean> {
		const newId = randomUUID();
		const inserted = (await manager.query(
			`INSERT INTO provider_accounts (id, provider, external_id, account_id, name, social_account_id, access_token)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (provider, external_id) DO NOTHING RETURNING id`,
			[newId, claim.provider, claim.externalId, accountId, claim.name, socialAccountId, this.seal('provider_accounts', 'access_token', newId, accessToken)],
		)) as { id: string }[];
		if (inserted.length > 0) return true;
		const [held] = (await manager.query(
			`SELECT id, account_id FROM provider_accounts WHERE provider = $1 AND external_id = $2 FOR UPDATE`,
			[claim.provider, claim.externalId],
		)) as { id: string; account_id: string }[];
		if (!held || held.account_id !== accountId) return false;
		await manager.query(
			`UPDATE provider_accounts SET social_account_id = $2, access_token = $3, name = COALESCE(name, $4) WHERE id = $1`,
			[held.id, socialAccountId, this.seal('provider_accounts', 'access_token', held.id, accessToken), claim.name],
		);
		return true;
	}

	listForAccount(accountId: string): Promise<SocialAccount[]> {
		return this.dataSource.getRepository(SocialAccountEntity).find({ where: { accountId }, order: { createdAt: 'DESC', id: 'DESC' } });
	}

	/** The working connections of a provider: one account's, or every account's (null). */
	listActive(provider: SocialProvider, accountId: string | null): Promise<SocialAccount[]> {
		return this.dataSource.getRepository(SocialAccountEntity).find({
			where: { provider, status: 'active', ...(accountId ? { accountId } : {}) },
			order: { createdAt: 'ASC', id: 'ASC' },
		});
	}

	/** The provider accounts each connection proves, by social account id. */
	async channelsOf(socialAccountIds: string[]): Promise<Map<string, ChannelClaim[]>> {
		const rows = (await this.dataSource.query(
			`SELECT social_account_id, provider, external_id, name FROM provider_accounts WHERE social_account_id = ANY($1::uuid[])
			ORDER BY provider, external_id`,
			[socialAccountIds],
		)) as { social_account_id: string; provider: Provider; external_id: string; name: string | null }[];
		const channels = new Map<string, ChannelClaim[]>();
		for (const row of rows) {
			channels.set(row.social_account_id, [...(channels.get(row.social_account_id) ?? []), { provider: row.provider, externalId: row.external_id, name: row.name }]);
		}
		return channels;
	}

	findForAccount(accountId: string, id: string): Promise<SocialAccount | null> {
		return this.dataSource.getRepository(SocialAccountEntity).findOneBy({ accountId, id });
	}

	/** The connection of `provider` whose provider-side id is `externalId`, if this tenant holds it. */
	findByExternalId(accountId: string, provider: SocialProvider, externalId: string): Promise<SocialAccount | null> {
		return this.dataSource.getRepository(SocialAccountEntity).findOneBy({ accountId, provider, externalId });
	}

	/** Deletes a connection; the provider accounts it proved go with it (ON DELETE CASCADE). */
	async delete(id: string): Promise<void> {
		await this.dataSource.getRepository(SocialAccountEntity).delete({ id });
	}

	/** The send token of a Meta page or Instagram account this tenant holds through a connection. */
	async findPageToken(accountId: string, provider: Provider, externalId: string): Promise<PageToken | null> {
		const [row] = (await this.dataSource.query(
			`SELECT id, access_token, social_account_id FROM provider_accounts
			WHERE account_id = $1 AND provider = $2 AND external_id = $3 AND access_token IS NOT NULL AND social_account_id IS NOT NULL`,
			[accountId, provider, externalId],
		)) as { id: string; access_token: string; social_account_id: string }[];
		if (!row) return null;
		const socialAccount = await this.dataSource.getRepository(SocialAccountEntity).findOneByOrFail({ id: row.social_account_id });
		const accessToken = this.box.decrypt(row.access_token, { table: 'provider_accounts', column: 'access_token', rowId: row.id });
		return { accessToken, socialAccount };
	}

	/**
	 * Runs `work` holding the row lock of one social account (SELECT … FOR UPDATE), with the row as it is once the lock
	 * is held: every hub replica (and so every n8n worker, which only reaches tokens through a hub) waits here, so one
	 * refresh happens and the others read its result.
	 */
	async withLockedAccount<T>(id: string, work: (row: SocialAccount, update: (changes: AccountUpdate) => Promise<void>) => Promise<T>): Promise<T> {
		return this.dataSource.transaction(async (manager) => {
			const repository = manager.getRepository(SocialAccountEntity);
			const row = await repository.createQueryBuilder('account').setLock('pessimistic_write').where('account.id = :id', { id }).getOneOrFail();
			return work(row, async (changes) => {
				if (changes.status) {
					await manager.query(`UPDATE social_accounts SET status = $2, updated_at = now() WHERE id = $1`, [id, changes.status]);
				}
				if (changes.tokens) {
					const columns = this.tokenColumns(id, changes.tokens);
					await manager.query(
						`UPDATE social_accounts SET access_token = $2, refresh_token = $3, token_expires_at = $4,
							refresh_expires_at = COALESCE($5, refresh_expires_at), scopes = COALESCE($6, scopes), status = 'active',
							refreshed_at = now(), updated_at = now()
						WHERE id = $1`,
						[id, columns.access_token, columns.refresh_token, columns.token_expires_at, columns.refresh_expires_at, columns.scopes],
					);
				}
			});
		});
	}
}

export interface AccountUpdate {
	status?: 'reauth_required';
	tokens?: ProviderTokens;
}
