import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per conversation of an account on a provider, holding who answers it: the AI (`ai`, the default) or a
 * person who took it over (`human`). UNIQUE (account_id, provider, conversation_id) is what makes the row an
 * idempotent upsert each time a message of the conversation is logged.
 *
 * Every change of handler (handover, release, idle release) records when, who (a person, an API key, or neither: the
 * hub itself) and why, and bumps `handler_version`, so live clients order the changes they hear. A `human` row always
 * knows since when (`handler_changed_at`): the idle release counts from the later of that and the last message.
 * `last_activity_at` (the listing order) is kept by PostgreSQL itself, as in leads.
 *
 * Conversations of interactions logged before this migration are created from them, so handover works on them too.
 */
export class CreateConversations1763830000000 implements MigrationInterface {
	name = 'CreateConversations1763830000000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			CREATE TABLE conversations (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				provider text NOT NULL
					CHECK (provider IN ('instagram', 'messenger', 'whatsapp', 'tiktok', 'youtube', 'linkedin')),
				conversation_id text NOT NULL,
				contact_external_id text NOT NULL,
				handler text NOT NULL DEFAULT 'ai' CHECK (handler IN ('ai', 'human')),
				handler_version integer NOT NULL DEFAULT 0 CHECK (handler_version >= 0),
				handler_changed_at timestamptz,
				handler_change_reason text CHECK (handler_change_reason IN ('handover', 'release', 'idle')),
				handler_changed_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
				handler_changed_by_api_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL,
				last_message_at timestamptz,
				created_at timestamptz NOT NULL DEFAULT now(),
				updated_at timestamptz NOT NULL DEFAULT now(),
				last_activity_at timestamptz NOT NULL
					GENERATED ALWAYS AS (GREATEST(created_at, last_message_at, handler_changed_at)) STORED,
				CONSTRAINT conversations_account_provider_conversation_key UNIQUE (account_id, provider, conversation_id),
				CONSTRAINT conversations_handler_change_check CHECK (
					(handler_version = 0) = (handler_changed_at IS NULL)
					AND (handler_changed_at IS NULL) = (handler_change_reason IS NULL)
					AND (handler = 'human') = (handler_change_reason IS NOT DISTINCT FROM 'handover')
				)
			)`);
		// Listing pages newest activity first on (last_activity_at, id).
		await queryRunner.query(
			`CREATE INDEX conversations_account_activity_idx ON conversations (account_id, last_activity_at DESC, id DESC)`,
		);
		// The idle release only ever looks at conversations a person holds, a small part of the table.
		await queryRunner.query(`CREATE INDEX conversations_human_idx ON conversations (account_id) WHERE handler = 'human'`);
		// A conversation's messages in order, and its last message (the listing reads one per conversation).
		await queryRunner.query(
			`CREATE INDEX interactions_account_conversation_time_idx
				ON interactions (account_id, provider, conversation_id, message_timestamp, id)`,
		);
		await queryRunner.query(`
			INSERT INTO conversations (account_id, provider, conversation_id, contact_external_id, last_message_at, created_at)
			SELECT account_id, provider, conversation_id,
				(array_agg(contact_external_id ORDER BY message_timestamp DESC))[1],
				max(LEAST(message_timestamp, created_at)), min(created_at)
			FROM interactions
			GROUP BY account_id, provider, conversation_id`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`DROP INDEX interactions_account_conversation_time_idx`);
		await queryRunner.query(`DROP TABLE conversations`);
	}
}
