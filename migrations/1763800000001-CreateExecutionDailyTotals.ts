import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per agent and UTC day: executions, tokens and cost, kept by a statement-level trigger on executions, so the costs
 * report over weeks or months reads tens of rows per agent instead of every execution. The trigger sees only the
 * rows a statement really inserted (its transition table), so duplicate reports skipped by ON CONFLICT DO NOTHING
 * count nothing, and one multi-row INSERT (a backfill, the benchmark's seeding) costs one aggregated upsert.
 * Executions are never updated; they leave only with their agent or account, and the totals with them (cascade).
 */
export class CreateExecutionDailyTotals1763800000001 implements MigrationInterface {
	name = 'CreateExecutionDailyTotals1763800000001';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			CREATE TABLE execution_daily_totals (
				agent_id uuid NOT NULL,
				account_id uuid NOT NULL,
				day date NOT NULL,
				executions integer NOT NULL,
				prompt_tokens bigint NOT NULL,
				completion_tokens bigint NOT NULL,
				cost_usd numeric(18, 6) NOT NULL,
				PRIMARY KEY (agent_id, day),
				CONSTRAINT execution_daily_totals_agent_fkey FOREIGN KEY (agent_id, account_id)
					REFERENCES agents (id, account_id) ON DELETE CASCADE
			)`);
		await queryRunner.query(`CREATE INDEX execution_daily_totals_account_day_idx ON execution_daily_totals (account_id, day)`);
		await queryRunner.query(`
			CREATE FUNCTION executions_roll_up_days() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				INSERT INTO execution_daily_totals AS totals
					(agent_id, account_id, day, executions, prompt_tokens, completion_tokens, cost_usd)
				SELECT agent_id, account_id, (started_at AT TIME ZONE 'UTC')::date,
					count(*), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd)
				FROM inserted
				GROUP BY 1, 2, 3
				ON CONFLICT (agent_id, day) DO UPDATE SET
					executions = totals.executions + EXCLUDED.executions,
					prompt_tokens = totals.prompt_tokens + EXCLUDED.prompt_tokens,
					completion_tokens = totals.completion_tokens + EXCLUDED.completion_tokens,
					cost_usd = totals.cost_usd + EXCLUDED.cost_usd;
				RETURN NULL;
			END
			$$`);
		await queryRunner.query(`
			CREATE TRIGGER executions_roll_up_days AFTER INSERT ON executions
				REFERENCING NEW TABLE AS inserted
				FOR EACH STATEMENT EXECUTE FUNCTION executions_roll_up_days()`);
		await queryRunner.query(`
			INSERT INTO execution_daily_totals
				(agent_id, account_id, day, executions, prompt_tokens, completion_tokens, cost_usd)
			SELECT agent_id, account_id, (started_at AT TIME ZONE 'UTC')::date,
				count(*), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd)
			FROM executions
			GROUP BY 1, 2, 3`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`DROP TRIGGER executions_roll_up_days ON executions`);
		await queryRunner.query(`DROP FUNCTION executions_roll_up_days()`);
		await queryRunner.query(`DROP TABLE execution_daily_totals`);
	}
}
