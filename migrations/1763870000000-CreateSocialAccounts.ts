import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Social accounts: a tenant's OAuth connection to Meta (a Facebook user who manages pages and Instagram business
 * accounts), TikTok (a business account, its open_id) or YouTube (a channel). The tokens are SecretBox values
 * (secrets/secret-box.ts: AES-256-GCM, bound to this table, column and row), never plaintext.
 *
 * provider_accounts gains the connection that proved each routed account (OAuth is the proof of ownership; rows
 * without one were claimed by the operator) and, for a Meta page or Instagram account, the page token that sends
 * its replies (encrypted too). Deleting a connection releases what it proved.
 */
export class CreateSocialAccounts1763870000000 implements MigrationInterface {
	name = 'CreateSocialAccounts1763870000000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			CREATE TABLE social_accounts (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				provider text NOT NULL CHECK (provider IN ('meta', 'tiktok', 'youtube')),
				external_id text NOT NULL,
				name text,
				status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'reauth_required')),
				access_token text NOT NULL,
				refresh_token text,
				token_expires_at timestamptz,
				refresh_expires_at timestamptz,
				scopes text,
				connected_by uuid REFERENCES users (id) ON DELETE SET NULL,
				refreshed_at timestamptz,
				created_at timestamptz NOT NULL DEFAULT now(),
				updated_at timestamptz NOT NULL DEFAULT now(),
				CONSTRAINT social_accounts_provider_external_id_key UNIQUE (provider, external_id)
			)`);
		await queryRunner.query(`CREATE INDEX social_accounts_account_id_idx ON social_accounts (account_id)`);
		await queryRunner.query(`
			ALTER TABLE provider_accounts
				ADD COLUMN social_account_id uuid REFERENCES social_accounts (id) ON DELETE CASCADE,
				ADD COLUMN access_token text`);
		await queryRunner.query(
			`CREATE INDEX provider_accounts_social_account_id_idx ON provider_accounts (social_account_id)`,
		);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`DROP INDEX provider_accounts_social_account_id_idx`);
		await queryRunner.query(`ALTER TABLE provider_accounts DROP COLUMN access_token, DROP COLUMN social_account_id`);
		await queryRunner.query(`DROP TABLE social_accounts`);
	}
}
