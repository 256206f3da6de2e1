import type { EntityManager } from 'typeorm';
import type { Agent, AgentStatus } from './agent.entity';
import type { AgentsRepository } from './agents.repository';

export interface AgentView {
	id: string;
	accountId: string;
	name: string;
	status: AgentStatus;
	createdAt: string;
}

export const toAgentView = (agent: Agent): AgentView => ({
	id: agent.id,
	accountId: agent.accountId,
	name: agent.name,
	status: agent.status,
	createdAt: agent.createdAt.toISOString(),
});

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
