import type { DataSource } from 'typeorm';
import type { Scenario, ScenarioAuthor } from './scenarios.schemas';

/** One saved version of an agent's scenario (a row of agent_scenarios, which never changes). */
export interface StoredScenario {
	agentId: string;
	version: number;
	scenario: Scenario;
	createdAt: Date;
	createdBy: ScenarioAuthor;
}

interface Row {
	agent_id: string;
	version: number;
	scenario: Scenario;
	created_at: Date;
	created_by_user_id: string | null;
	created_by_api_key_id: string | null;
}

const COLUMNS = 'agent_id, version, scenario, created_at, created_by_user_id, created_by_api_key_id';

const toStored = (row: Row): StoredScenario => ({
	agentId: row.agent_id,
	version: row.version,
	scenario: row.scenario,
	createdAt: row.created_at,
	createdBy: { userId: row.created_by_user_id, apiKeyId: row.created_by_api_key_id },
});

export class ScenariosRepository {
	constructor(private readonly dataSource: DataSource) {}

	/** The agent's newest version, or null when none was ever saved: one index lookup (agent_id, version). */
	async latest(agentId: string): Promise<StoredScenario | null> {
		const rows: Row[] = await this.dataSource.query(
			`SELECT ${COLUMNS} FROM agent_scenarios WHERE agent_id = $1 ORDER BY version DESC LIMIT 1`,
			[agentId],
		);
		return rows[0] ? toStored(rows[0]) : null;
	}

	/**
	 * Saves `scenario` as the agent's next version. Two saves of one agent at once are serialised on the agent's row
	 * (FOR NO KEY UPDATE: messages logged for the agent, which only take a key-share lock, are not held up), so each
	 * gets its own number instead of one of them failing on the unique key.
	 */
	async append(agentId: string, scenario: Scenario, createdBy: ScenarioAuthor, at: Date): Promise<StoredScenario> {
		return this.dataSource.transaction(async (manager) => {
			await manager.query(`SELECT id FROM agents WHERE id = $1 FOR NO KEY UPDATE`, [agentId]);
			const rows: Row[] = await manager.query(
				`INSERT INTO agent_scenarios (agent_id, version, scenario, created_at, created_by_user_id, created_by_api_key_id)
				 SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5 FROM agent_scenarios WHERE agent_id = $1
				 RETURNING ${COLUMNS}`,
				[agentId, JSON.stringify(scenario), at, createdBy.userId, createdBy.apiKeyId],
			);
			return toStored(rows[0]!);
		});
	}
}
