import type { DataSource, EntityManager, Repository } from 'typeorm';
import { type Agent, AgentEntity } from './agent.entity';

export class AgentsRepository {
	private readonly agents: Repository<Agent>;

	constructor(dataSource: DataSource) {
		this.agents = dataSource.getRepository(AgentEntity);
	}

	insert(agent: Pick<Agent, 'accountId' | 'name'>, manager?: EntityManager): Promise<Agent> {
		const repository = manager ? manager.getRepository(AgentEntity) : this.agents;
		return repository.save(repository.create({ ...agent, status: 'active' }));
	}

	listForAccount(accountId: string): Promise<Agent[]> {
		return this.agents.find({ where: { accountId }, order: { createdAt: 'DESC', id: 'DESC' } });
	}
}
