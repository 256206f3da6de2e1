import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each agent's scenario (what it does with each inbound message), versioned: every save is a new row, numbered 1, 2, …
 * per agent, and the newest is the one in force. Rows never change (a trigger refuses it, except for the author
 * columns a deleted person or key sets to NULL), so UNIQUE (agent_id, version) is a stable key a later whole-agent
 * version can reference as a foreign key. An agent without a row runs the default scenario (version 0, in the code).
 */
export class CreateAgentScenarios1763840000000 implements MigrationInterface {
	name = 'CreateAgentScenarios1763840000000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			CREATE TABLE agent_scenarios (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
				version integer NOT NULL CHECK (version > 0),
				scenario jsonb NOT NULL CHECK (jsonb_typeof(scenario) = 'object'),
				created_at timestamptz NOT NULL DEFAULT now(),
				created_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
				created_by_api_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL,
				CONSTRAINT agent_scenarios_agent_version_key UNIQUE (agent_id, version),
				CONSTRAINT agent_scenarios_one_author CHECK (created_by_user_id IS NULL OR created_by_api_key_id IS NULL)
			)`);
		await queryRunner.query(`
			CREATE FUNCTION agent_scenarios_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF NEW.id <> OLD.id OR NEW.agent_id <> OLD.agent_id OR NEW.version <> OLD.version
					OR NEW.scenario IS DISTINCT FROM OLD.scenario OR NEW.created_at <> OLD.created_at THEN
					RAISE EXCEPTION 'agent_scenarios rows are immutable: save a new version instead';
				END IF;
				RETURN NEW;
			END $$`);
		await queryRunner.query(`
			CREATE TRIGGER agent_scenarios_immutable BEFORE UPDATE ON agent_scenarios
				FOR EACH ROW EXECUTE FUNCTION agent_scenarios_immutable()`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`DROP TABLE agent_scenarios`);
		await queryRunner.query(`DROP FUNCTION agent_scenarios_immutable()`);
	}
}
