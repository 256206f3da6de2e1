import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Answers served from the AI answer cache (docs/ai-limits.md#the-answer-cache): a message answered from the cache
 * made no model call, so its own tokens and cost are 0, and what that call would have cost is recorded as cost saved.
 * - interactions: `cache_hit`, and `cost_saved_usd` (null unless a hit), as the outcome record stores them.
 * - executions: the same pair (`cost_saved_usd` 0 rather than null, as `cost_usd` is), which analytics sums.
 * - execution_daily_totals: `cache_hits` and `cost_saved_usd` per agent and day, kept by the same trigger, so the
 *   costs report reads them from the totals like the cost itself.
 * The agent index the stats read is rebuilt with the two new columns in its INCLUDE, so an agent's stats stay an
 * index-only scan. Rows written before this migration were never cache hits: the defaults (false, 0) are exact.
 */
export class AnswerCacheSavings1763850000000 implements MigrationInterface {
	name = 'AnswerCacheSavings1763850000000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			ALTER TABLE interactions
				ADD COLUMN cache_hit boolean NOT NULL DEFAULT false,
				ADD COLUMN cost_saved_usd numeric(12, 6),
				ADD CONSTRAINT interactions_cost_saved_check
					CHECK (cost_saved_usd IS NULL OR (cache_hit AND cost_saved_usd >= 0))`);
		await queryRunner.query(`
			ALTER TABLE executions
				ADD COLUMN cache_hit boolean NOT NULL DEFAULT false,
				ADD COLUMN cost_saved_usd numeric(12, 6) NOT NULL DEFAULT 0,
				ADD CONSTRAINT executions_cost_saved_check CHECK (cost_saved_usd >= 0 AND (cache_hit OR cost_saved_usd = 0))`);
		await queryRunner.query(`DROP INDEX executions_agent_started_idx`);
		await queryRunner.query(`
			CREATE INDEX executions_agent_started_idx ON executions (agent_id, started_at)
				INCLUDE (status, latency_ms, prompt_tokens, completion_tokens, cost_usd, cache_hit, cost_saved_usd)`);
		await queryRunner.query(`
			ALTER TABLE execution_daily_totals
				ADD COLUMN cache_hits integer NOT NULL DEFAULT 0,
				ADD COLUMN cost_saved_usd numeric(18, 6) NOT NULL DEFAULT 0`);
		await queryRunner.query(rollUpFunction(true));
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(rollUpFunction(false));
		await queryRunner.query(`ALTER TABLE execution_daily_totals DROP COLUMN cache_hits, DROP COLUMN cost_saved_usd`);
		await queryRunner.query(`DROP INDEX executions_agent_started_idx`);
		await queryRunner.query(`
			CREATE INDEX executions_agent_started_idx ON executions (agent_id, started_at)
				INCLUDE (status, latency_ms, prompt_tokens, completion_tokens, cost_usd)`);
		await queryRunner.query(`
			ALTER TABLE executions
				DROP CONSTRAINT executions_cost_saved_check, DROP COLUMN cache_hit, DROP COLUMN cost_saved_usd`);
		await queryRunner.query(`
			ALTER TABLE interactions
				DROP CONSTRAINT interactions_cost_saved_check, DROP COLUMN cache_hit, DROP COLUMN cost_saved_usd`);
	}
}

/**
 * The trigger function of CreateExecutionDailyTotals1763800000001, with (withSavings) or without the cache columns.
 * The trigger itself stays: it calls the function by name, so replacing the function is enough either way.
 */
function rollUpFunction(withSavings: boolean): string {
	const columns = withSavings ? ', cache_hits, cost_saved_usd' : '';
	const sums = withSavings ? ', count(*) FILTER (WHERE cache_hit), sum(cost_saved_usd)' : '';
	const updates = withSavings
		? `,
					cache_hits = totals.cache_hits + EXCLUDED.cache_hits,
					cost_saved_usd = totals.cost_saved_usd + EXCLUDED.cost_saved_usd`
		: '';
	return `
		CREATE OR REPLACE FUNCTION executions_roll_up_days() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO execution_daily_totals AS totals
				(agent_id, account_id, day, executions, prompt_tokens, completion_tokens, cost_usd${columns})
			SELECT agent_id, account_id, (started_at AT TIME ZONE 'UTC')::date,
				count(*), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd)${sums}
			FROM inserted
			GROUP BY 1, 2, 3
			ON CONFLICT (agent_id, day) DO UPDATE SET
				executions = totals.executions + EXCLUDED.executions,
				prompt_tokens = totals.prompt_tokens + EXCLUDED.prompt_tokens,
				completion_tokens = totals.completion_tokens + EXCLUDED.completion_tokens,
				cost_usd = totals.cost_usd + EXCLUDED.cost_usd${updates};
			RETURN NULL;
		END
		$$`;
}
