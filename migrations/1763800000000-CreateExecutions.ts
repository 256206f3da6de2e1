import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Execution reports from the n8n workflows (one row per message an execution handled) and the agent log lines they
 * carry. The analytics read these tables with SQL aggregates only, so the indexes are shaped for those queries:
 * - (account_id, started_at) INCLUDE (...) serves the overview (today's executions of one account) as an
 *   index-only scan;
 * - (agent_id, started_at) INCLUDE (...) serves an agent's stats and series over 7 days to 3 months, and the cost
 *   sums per agent;
 * - (status) serves error listings across the platform.
 * UNIQUE (account_id, n8n_execution_id, message_key) makes the report idempotent when n8n retries the call; the
 * message is part of the key because one execution of a batched Meta delivery reports each of its messages.
 */
export class CreateExecutions1763800000000 implements MigrationInterface {
	name = 'CreateExecutions1763800000000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			CREATE TABLE executions (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				agent_id uuid NOT NULL,
				n8n_execution_id text NOT NULL,
				message_key text NOT NULL DEFAULT '',
				workflow_id text,
				status text NOT NULL CHECK (status IN ('success', 'error', 'skipped')),
				started_at timestamptz NOT NULL,
				latency_ms integer CHECK (latency_ms >= 0),
				model text,
				prompt_tokens integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
				completion_tokens integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
				cost_usd numeric(12, 6) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
				provider text,
				message_id text,
				conversation_id text,
				contact_id text,
				reason text,
				error_message text,
				error_code text,
				created_at timestamptz NOT NULL DEFAULT now(),
				CONSTRAINT executions_report_key UNIQUE (account_id, n8n_execution_id, message_key),
				CONSTRAINT executions_agent_fkey FOREIGN KEY (agent_id, account_id)
					REFERENCES agents (id, account_id) ON DELETE CASCADE
			)`);
		await queryRunner.query(`
			CREATE INDEX executions_account_started_idx ON executions (account_id, started_at)
				INCLUDE (agent_id, status, latency_ms)`);
		await queryRunner.query(`
			CREATE INDEX executions_agent_started_idx ON executions (agent_id, started_at)
				INCLUDE (status, latency_ms, prompt_tokens, completion_tokens, cost_usd)`);
		await queryRunner.query(`CREATE INDEX executions_status_idx ON executions (status)`);
		await queryRunner.query(`
			CREATE TABLE agent_logs (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				agent_id uuid NOT NULL,
				execution_id uuid REFERENCES executions (id) ON DELETE CASCADE,
				level text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
				message text NOT NULL,
				metadata jsonb,
				created_at timestamptz NOT NULL DEFAULT now(),
				CONSTRAINT agent_logs_agent_fkey FOREIGN KEY (agent_id, account_id)
					REFERENCES agents (id, account_id) ON DELETE CASCADE
			)`);
		await queryRunner.query(`CREATE INDEX agent_logs_agent_created_idx ON agent_logs (agent_id, created_at)`);
		await queryRunner.query(`CREATE INDEX agent_logs_execution_idx ON agent_logs (execution_id)`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`DROP TABLE agent_logs`);
		await queryRunner.query(`DROP TABLE executions`);
	}
}
