import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants, their API keys, agents and the provider routing table. Value lists (plans, providers, scopes) are written
 * out here rather than imported, so this migration keeps describing the schema it created when the lists grow.
 */
export class CreateTenancy1763769600000 implements MigrationInterface {
	name = 'CreateTenancy1763769600000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`CREATE TYPE account_plan AS ENUM ('freemium', 'premium', 'ultra')`);
		await queryRunner.query(`
			CREATE TABLE accounts (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				name text NOT NULL,
				plan account_plan NOT NULL DEFAULT 'freemium',
				created_at timestamptz NOT NULL DEFAULT now()
			)`);
		// A platform key belongs to no account and an account key to exactly one: the CHECK makes that an invariant.
		await queryRunner.query(`
			CREATE TABLE api_keys (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				account_id uuid REFERENCES accounts (id) ON DELETE CASCADE,
				scope text NOT NULL CHECK (scope IN ('platform', 'account')),
				name text NOT NULL,
				prefix text NOT NULL CONSTRAINT api_keys_prefix_key UNIQUE,
				key_hash text NOT NULL,
				last_used_at timestamptz,
				expires_at timestamptz,
				revoked_at timestamptz,
				created_at timestamptz NOT NULL DEFAULT now(),
				CONSTRAINT api_keys_scope_matches_account CHECK ((scope = 'platform') = (account_id IS NULL))
			)`);
		await queryRunner.query(`CREATE INDEX api_keys_account_id_idx ON api_keys (account_id)`);
		// UNIQUE (id, account_id) lets other tables reference an agent together with its account, so the database
		// itself refuses an agent of another tenant.
		await queryRunner.query(`
			CREATE TABLE agents (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				name text NOT NULL,
				status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
				created_at timestamptz NOT NULL DEFAULT now(),
				CONSTRAINT agents_id_account_id_key UNIQUE (id, account_id)
			)`);
		await queryRunner.query(`CREATE INDEX agents_account_id_idx ON agents (account_id)`);
		await queryRunner.query(`
			CREATE TABLE provider_accounts (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				provider text NOT NULL
					CHECK (provider IN ('instagram', 'messenger', 'whatsapp', 'tiktok', 'youtube', 'linkedin')),
				external_id text NOT NULL,
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				agent_id uuid,
				name text,
				created_at timestamptz NOT NULL DEFAULT now(),
				CONSTRAINT provider_accounts_provider_external_id_key UNIQUE (provider, external_id),
				CONSTRAINT provider_accounts_agent_fkey FOREIGN KEY (agent_id, account_id)
					REFERENCES agents (id, account_id) ON DELETE SET NULL (agent_id)
			)`);
		await queryRunner.query(`CREATE INDEX provider_accounts_account_id_idx ON provider_accounts (account_id)`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`DROP TABLE provider_accounts`);
		await queryRunner.query(`DROP TABLE agents`);
		await queryRunner.query(`DROP TABLE api_keys`);
		await queryRunner.query(`DROP TABLE accounts`);
		await queryRunner.query(`DROP TYPE account_plan`);
	}
}
