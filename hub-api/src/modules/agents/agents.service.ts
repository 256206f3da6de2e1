import type { EntityManager } from 'typeorm';
import { notFound } from '../../errors';
import type { Agent } from './agent.entity';
import type { AgentListFilter, AgentsRepository } from './agents.repository';
import type { AgentDetailView, AgentView } from './agents.schemas';

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

/**
 * Reading agents, and creating those the operator's shared pipeline serves (no workflow of their own). Agents
 * installed from templates are deployed, switched, upgraded and removed by AgentDeploymentsService.
 */
export class AgentsService {
	constructor(private readonly repository: AgentsRepository) {}

	async create(accountId: string, name: string, manager?: EntityManager): Promise<AgentView> {
		return toAgentView(await this.repository.insert({ accountId, name }, manager));
	}

	async list(accountId: string, filter?: AgentListFilter): Promise<AgentView[]> {
		return (await this.repository.listForAccount(accountId, filter)).map(toAgentView);
	}

	/** One agent with its interaction and version counts and its version history; 404 for another account's. */
	async get(accountId: string, id: string): Promise<AgentDetailView> {
		const agent = await this.repository.findForAccount(accountId, id);
		if (!agent) throw notFound('agent');
		const [versions, interactions] = await Promise.all([
			this.repository.listVersions(agent.id),
			this.repository.countInteractions(accountId, agent.id),
		]);
		return {
			...toAgentView(agent),
			counts: { interactions, versions: versions.length },
			versions: versions.map((version) => ({
				version: version.version,
				templateVersion: version.templateVersion,
				deployedAt: version.deployedAt.toISOString(),
				current: version.version === agent.currentVersion,
			})),
		};
	}
}
