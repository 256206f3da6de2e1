import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { PlanId } from '../../../../contracts/hub-api';
import type { Provider } from '../../../../contracts/inbound-message';
import { withConstraint } from '../../pg-errors';
import { notFound } from '../../errors';
import type { AgentStatus } from '../agents/agent.entity';
import { type ProviderAccount, ProviderAccountEntity } from './provider-account.entity';

export interface Route {
	accountId: string;
	agentId: string | null;
	plan: PlanId;
	/** null when no agent is linked to the provider account. */
	agentStatus: AgentStatus | null;
	accountDeactivated: boolean;
}

export type NewProviderAccount = Pick<ProviderAccount, 'provider' | 'externalId' | 'accountId' | 'agentId' | 'name'>;

export class ProviderAccountsRepository {
	private readonly providerAccounts: Repository<ProviderAccount>;

	constructor(dataSource: DataSource) {
		this.providerAccounts = dataSource.getRepository(ProviderAccountEntity);
	}

	/**
	 * Claims the external account unless someone already holds it (ON CONFLICT DO NOTHING, so two tenants racing for
	 * the same page cannot both win), then returns whoever holds it and whether this call created the row.
	 * The agent must belong to the same account: the composite foreign key checks it, race-free.
	 */
	async claim(claim: NewProviderAccount, manager?: EntityManager): Promise<{ row: ProviderAccount; created: boolean }> {
		const repository = manager ? manager.getRepository(ProviderAccountEntity) : this.providerAccounts;
		const result = await withAgentCheck(() =>
			repository.createQueryBuilder().insert().values(claim).orIgnore().execute(),
		);
		const row = await repository.findOneByOrFail({ provider: claim.provider, externalId: claim.externalId });
		return { row, created: result.identifiers.some((identifier) => identifier !== undefined) };
	}

	transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
		return this.providerAccounts.manager.transaction(work);
	}

	async update(id: string, changes: Partial<Pick<ProviderAccount, 'agentId' | 'name'>>, manager?: EntityManager): Promise<ProviderAccount> {
		const repository = manager ? manager.getRepository(ProviderAccountEntity) : this.providerAccounts;
		await withAgentCheck(() => repository.update({ id }, changes));
		return repository.findOneByOrFail({ id });
	}

	async holds(accountId: string, provider: Provider, externalId: string): Promise<boolean> {
		return (await this.providerAccounts.countBy({ accountId, provider, externalId })) > 0;
	}

	listForAccount(accountId: string): Promise<ProviderAccount[]> {
		return this.providerAccounts.find({ where: { accountId }, order: { createdAt: 'DESC', id: 'DESC' } });
	}

	/** The route of an inbound message: the provider account's holder and agent, with what decides whether it runs. */
	async findRoute(provider: Provider, externalId: string): Promise<Route | null> {
		const [row] = (await this.providerAccounts.manager.query(
			`SELECT route.account_id, route.agent_id, account.plan, agent.status AS agent_status,
				billing.deactivated_at IS NOT NULL AS deactivated
			FROM provider_accounts route
			JOIN accounts account ON account.id = route.account_id
			LEFT JOIN agents agent ON agent.id = route.agent_id
			LEFT JOIN billing_customers billing ON billing.account_id = route.account_id
			WHERE route.provider = $1 AND route.external_id = $2`,
			[provider, externalId],
		)) as { account_id: string; agent_id: string | null; plan: PlanId; agent_status: AgentStatus | null; deactivated: boolean }[];
		if (!row) return null;
		return {
			accountId: row.account_id,
			agentId: row.agent_id,
			plan: row.plan,
			agentStatus: row.agent_status,
			accountDeactivated: row.deactivated,
		};
	}
}

/** The composite foreign key refuses an agent of another account as it refuses an unknown one: not found. */
const withAgentCheck = <T>(write: () => Promise<T>) =>
	withConstraint('provider_accounts_agent_fkey', () => notFound('agent'), write);
