import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per prospect (contact) of an account on a provider. UNIQUE (account_id, provider, contact_external_id) is
 * what makes POST /api/leads an idempotent upsert: every message of a contact updates the same lead.
 *
 * `last_activity_at` is the latest of first seen, their last message and our last contact: what "idle for N days"
 * (follow-ups) and the listing order read, kept by PostgreSQL itself so no writer can forget it.
 */
export class CreateLeads1763820000000 implements MigrationInterface {
	name = 'CreateLeads1763820000000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			CREATE TABLE leads (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				agent_id uuid,
				provider text NOT NULL
					CHECK (provider IN ('instagram', 'messenger', 'whatsapp', 'tiktok', 'youtube', 'linkedin')),
				contact_external_id text NOT NULL,
				account_external_id text,
				name text,
				handle text,
				phone text CHECK (phone ~ '^\\+[1-9][0-9]{7,14}$'),
				temperature text CHECK (temperature IN ('hot', 'warm', 'cold')),
				summary text,
				conversation_id text,
				last_message_text text,
				first_seen_at timestamptz NOT NULL,
				last_message_at timestamptz,
				last_contacted_at timestamptz,
				last_activity_at timestamptz NOT NULL
					GENERATED ALWAYS AS (GREATEST(first_seen_at, last_message_at, last_contacted_at)) STORED,
				follow_up_count integer NOT NULL DEFAULT 0 CHECK (follow_up_count >= 0),
				created_at timestamptz NOT NULL DEFAULT now(),
				updated_at timestamptz NOT NULL DEFAULT now(),
				CONSTRAINT leads_account_provider_contact_key UNIQUE (account_id, provider, contact_external_id),
				CONSTRAINT leads_agent_fkey FOREIGN KEY (agent_id, account_id)
					REFERENCES agents (id, account_id) ON DELETE SET NULL (agent_id)
			)`);
		// Listing pages newest activity first on (last_activity_at, id); the idle filter reads the same column.
		await queryRunner.query(
			`CREATE INDEX leads_account_activity_idx ON leads (account_id, last_activity_at DESC, id DESC)`,
		);
		await queryRunner.query(
			`CREATE INDEX leads_account_temperature_activity_idx
				ON leads (account_id, temperature, last_activity_at DESC, id DESC)`,
		);
		await queryRunner.query(`CREATE INDEX leads_account_last_message_idx ON leads (account_id, last_message_at DESC)`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`DROP TABLE leads`);
	}
}
