import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agents deployed from templates into n8n. The agent row keeps what the hub needs to manage the deployment (template,
 * n8n ids, the configuration without its secrets, which went straight into n8n credentials) and is soft-deleted so
 * its history stays; agent_versions keeps every workflow the hub deployed for an agent, for upgrade and rollback.
 * Statuses move to the product's upper-case set: active → ACTIVE, paused → INACTIVE.
 */
export class AgentDeployments1763790000000 implements MigrationInterface {
	name = 'AgentDeployments1763790000000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`ALTER TABLE agents DROP CONSTRAINT IF EXISTS agents_status_check`);
		await queryRunner.query(`ALTER TABLE agents ALTER COLUMN status DROP DEFAULT`);
		await queryRunner.query(
			`UPDATE agents SET status = CASE status WHEN 'active' THEN 'ACTIVE' WHEN 'paused' THEN 'INACTIVE' ELSE status END`,
		);
		await queryRunner.query(`
			ALTER TABLE agents
				ALTER COLUMN status SET DEFAULT 'ACTIVE',
				ADD CONSTRAINT agents_status_check
					CHECK (status IN ('DEPLOYING', 'ACTIVE', 'INACTIVE', 'ERROR', 'DELETED')),
				ADD COLUMN type text CHECK (type IN ('SALES', 'SUPPORT', 'ANALYTICS', 'MARKETING', 'HR', 'FINANCE',
					'LEGAL', 'OPERATIONS', 'DEVOPS', 'CONTENT', 'INTERNAL', 'CUSTOM')),
				ADD COLUMN template_slug text,
				ADD COLUMN template_version text,
				ADD COLUMN error_reason text,
				ADD COLUMN n8n_workflow_id text,
				ADD COLUMN n8n_credential_ids jsonb NOT NULL DEFAULT '{}',
				ADD COLUMN hub_api_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL,
				ADD COLUMN config jsonb NOT NULL DEFAULT '{}',
				ADD COLUMN current_version integer,
				ADD COLUMN deployed_at timestamptz,
				ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
				ADD COLUMN deleted_at timestamptz,
				ADD CONSTRAINT agents_deleted_status CHECK ((status = 'DELETED') = (deleted_at IS NOT NULL))`);
		await queryRunner.query(`CREATE INDEX agents_account_status_idx ON agents (account_id, status)`);
		await queryRunner.query(`
			CREATE TABLE agent_versions (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
				version integer NOT NULL CHECK (version > 0),
				template_version text NOT NULL,
				workflow jsonb NOT NULL,
				deployed_at timestamptz NOT NULL DEFAULT now(),
				CONSTRAINT agent_versions_agent_version_key UNIQUE (agent_id, version)
			)`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`DROP TABLE agent_versions`);
		await queryRunner.query(`DROP INDEX agents_account_status_idx`);
		await queryRunner.query(`DELETE FROM agents WHERE status = 'DELETED'`);
		await queryRunner.query(`
			ALTER TABLE agents
				DROP CONSTRAINT agents_deleted_status,
				DROP CONSTRAINT agents_status_check,
				DROP COLUMN type, DROP COLUMN template_slug, DROP COLUMN template_version, DROP COLUMN error_reason,
				DROP COLUMN n8n_workflow_id, DROP COLUMN n8n_credential_ids, DROP COLUMN hub_api_key_id,
				DROP COLUMN config, DROP COLUMN current_version, DROP COLUMN deployed_at, DROP COLUMN updated_at,
				DROP COLUMN deleted_at`);
		await queryRunner.query(`ALTER TABLE agents ALTER COLUMN status DROP DEFAULT`);
		await queryRunner.query(
			`UPDATE agents SET status = CASE WHEN status = 'ACTIVE' THEN 'active' ELSE 'paused' END`,
		);
		await queryRunner.query(`
			ALTER TABLE agents
				ALTER COLUMN status SET DEFAULT 'active',
				ADD CONSTRAINT agents_status_check CHECK (status IN ('active', 'paused'))`);
	}
}
