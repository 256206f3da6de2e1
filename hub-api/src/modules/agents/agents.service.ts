import type { EntityManager } from 'typeorm';
import type { Agent } from './agent.entity';
import type { AgentsRepository } from './agents.repository';
import type { AgentView } from './agents.schemas';

export const toAgentView = (agent: Agent): AgentView => ({
	id: agent.id,
	accountId: agent.accountId,
	name: agent.name,
	status: agent.status,
	type: agent.type,
	templateSlug: agent.templateSlug,
	templateVersion: agent.templateVersion,
	errorReason: agent.errorReason,
	n8nWorkflowId: agent.n8nWorkflowId,
	config: agent.config,
	deployedAt: agent.deployedAt?.toISOString() ?? null,
	createdAt: agent.createdAt.toISOString(),
	updatedAt: agent.updatedAt.toISOString(),
	deletedAt: agent.deletedAt?.toISOString() ?? null,
});

/** Agents served by the operator's shared pipeline (no workflow of their own); template agents: AgentDeploymentsService. */
export class AgentsService {
	private readonly repository: AgentsRepository;

	constructor(repository: AgentsRepository) {
		this.repository = repository;
	}

	async create(accountId: string, name: string, manager?: EntityManager): Promise<AgentView> {
		return toAgentView(await this.repository.insert({ accountId, name }, manager));
	}

	async list(accountId: string): Promise<AgentView[]> {
		return (await this.repository.listForAccount(accountId)).map(toAgentView);
	}
}
