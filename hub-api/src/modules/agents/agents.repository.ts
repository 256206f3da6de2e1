import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { N8nWorkflowBody } from '../../n8n/n8n-client';
import type { AgentType } from '../templates/template-catalogue';
import { type Agent, AgentEntity, type AgentStatus } from './agent.entity';

export interface AgentVersion {
	version: number;
	templateVersion: string;
	/** Exactly what the hub sent to n8n (placeholders replaced; credential ids, never secrets). */
	workflow: N8nWorkflowBody;
	deployedAt: Date;
}

export interface AgentListFilter {
	status?: AgentStatus;
	type?: AgentType;
}

export type AgentChanges = Partial<Omit<Agent, 'id' | 'accountId' | 'createdAt' | 'updatedAt'>>;

export class AgentsRepository {
	private readonly agents: Repository<Agent>;

	constructor(private readonly dataSource: DataSource) {
		this.agents = dataSource.getRepository(AgentEntity);
	}

	insert(
		agent: Pick<Agent, 'accountId' | 'name'> & Partial<Pick<Agent, 'status' | 'type' | 'templateSlug' | 'templateVersion' | 'config'>>,
		manager?: EntityManager,
	): Promise<Agent> {
		const repository = manager ? manager.getRepository(AgentEntity) : this.agents;
		return repository.save(repository.create({ status: 'ACTIVE', ...agent }));
	}

	/** Deleted agents are history: listed only when asked for by status. */
	listForAccount(accountId: string, filter: AgentListFilter = {}): Promise<Agent[]> {
		const query = this.agents
			.createQueryBuilder('agent')
			.where('agent.accountId = :accountId', { accountId })
			.orderBy('agent.createdAt', 'DESC')
			.addOrderBy('agent.id', 'DESC');
		if (filter.status) query.andWhere('agent.status = :status', { status: filter.status });
		else query.andWhere("agent.status <> 'DELETED'");
		if (filter.type) query.andWhere('agent.type = :type', { type: filter.type });
		return query.getMany();
	}

	findForAccount(accountId: string, id: string): Promise<Agent | null> {
		return this.agents.findOneBy({ accountId, id });
	}

	async update(id: string, changes: AgentChanges): Promise<Agent> {
		// jsonb columns (config, credential ids) are plain objects, which TypeORM's deep-partial type does not model.
		await this.agents.update({ id }, changes as QueryDeepPartialEntity<Agent>);
		return this.agents.findOneByOrFail({ id });
	}

	/**
	 * Moves the agent from one of `from` to `to` in one statement, so two concurrent operations on one agent cannot
	 * both start: the loser gets null. `untouchedSince` also requires the row not to have changed since then.
	 */
	async transition(id: string, from: AgentStatus[], to: AgentStatus, untouchedSince?: Date): Promise<Agent | null> {
		const rows: { id: string }[][] = await this.dataSource.query(
			`UPDATE agents SET status = $2, error_reason = NULL, updated_at = now()
			 WHERE id = $1 AND status = ANY($3) AND ($4::timestamptz IS NULL OR updated_at < $4)
			 RETURNING id`,
			[id, to, from, untouchedSince ?? null],
		);
		return rows[0]?.length ? this.agents.findOneByOrFail({ id }) : null;
	}

	async addVersion(agentId: string, version: Omit<AgentVersion, 'version' | 'deployedAt'>, at: Date): Promise<number> {
		const [row] = (await this.dataSource.query(
			`INSERT INTO agent_versions (agent_id, version, template_version, workflow, deployed_at)
			 SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4 FROM agent_versions WHERE agent_id = $1
			 RETURNING version`,
			[agentId, version.templateVersion, JSON.stringify(version.workflow), at],
		)) as { version: number }[];
		return row!.version;
	}

	async listVersions(agentId: string): Promise<AgentVersion[]> {
		const rows: { version: number; template_version: string; workflow: N8nWorkflowBody; deployed_at: Date }[] =
			await this.dataSource.query(
				`SELECT version, template_version, workflow, deployed_at FROM agent_versions WHERE agent_id = $1
				 ORDER BY version`,
				[agentId],
			);
		return rows.map((row) => ({
			version: row.version,
			templateVersion: row.template_version,
			workflow: row.workflow,
			deployedAt: row.deployed_at,
		}));
	}

	async countInteractions(accountId: string, agentId: string): Promise<number> {
		const [row] = (await this.dataSource.query(
			`SELECT count(*)::int AS count FROM interactions WHERE account_id = $1 AND agent_id = $2`,
			[accountId, agentId],
		)) as { count: number }[];
		return row!.count;
	}
}
