import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per inbound message the pipeline handled. UNIQUE (account_id, provider, message_id) is what makes
 * POST /api/interactions idempotent under retries and webhook redelivery.
 */
export class CreateInteractions1763769600001 implements MigrationInterface {
	name = 'CreateInteractions1763769600001';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			CREATE TABLE interactions (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				agent_id uuid,
				provider text NOT NULL
					CHECK (provider IN ('instagram', 'messenger', 'whatsapp', 'tiktok', 'youtube', 'linkedin')),
				kind text NOT NULL CHECK (kind IN ('dm', 'comment', 'postback', 'read', 'status')),
				message_id text NOT NULL,
				conversation_id text NOT NULL,
				contact_external_id text NOT NULL,
				contact_name text,
				inbound_text text,
				status text NOT NULL CHECK (status IN ('replied', 'skipped', 'quota_exceeded', 'failed', 'ignored')),
				reason text,
				reply_text text,
				reply_external_id text,
				model text,
				prompt_tokens integer CHECK (prompt_tokens >= 0),
				completion_tokens integer CHECK (completion_tokens >= 0),
				cost_usd numeric(12, 6) CHECK (cost_usd >= 0),
				error_message text,
				error_code text,
				error_http_status integer,
				message_timestamp timestamptz NOT NULL,
				created_at timestamptz NOT NULL DEFAULT now(),
				updated_at timestamptz NOT NULL DEFAULT now(),
				CONSTRAINT interactions_account_provider_message_key UNIQUE (account_id, provider, message_id),
				CONSTRAINT interactions_agent_fkey FOREIGN KEY (agent_id, account_id)
					REFERENCES agents (id, account_id) ON DELETE SET NULL (agent_id)
			)`);
		// Newest-first listing pages on (created_at, id) per account.
		await queryRunner.query(
			`CREATE INDEX interactions_account_created_idx ON interactions (account_id, created_at DESC, id DESC)`,
		);
		await queryRunner.query(`CREATE INDEX interactions_conversation_idx ON interactions (conversation_id)`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`DROP TABLE interactions`);
	}
}
