import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { PlanId } from '../../../../contracts/hub-api';
import type { Provider } from '../../../../contracts/inbound-message';
import { violatesConstraint } from '../../db/pg-errors';
import { notFound } from '../../errors';
import { AccountEntity } from '../accounts/account.entity';
import { type ProviderAccount, ProviderAccountEntity } from './provider-account.entity';

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

	async update(id: string, changes: Partial<Pick<ProviderAccount, 'agentId' | 'name'>>): Promise<ProviderAccount> {
		await withAgentCheck(() => this.providerAccounts.update({ id }, changes));
		return this.providerAccounts.findOneByOrFail({ id });
	}

	listForAccount(accountId: string): Promise<ProviderAccount[]> {
		return this.providerAccounts.find({ where: { accountId }, order: { createdAt: 'DESC', id: 'DESC' } });
	}

	async findRoute(provider: Provider, externalId: string): Promise<(ProviderAccount & { plan: PlanId }) | null> {
		const row = await this.providerAccounts
			.createQueryBuilder('route')
			.innerJoin(AccountEntity.options.name, 'account', 'account.id = route.accountId')
			.addSelect('account.plan', 'plan')
			.where('route.provider = :provider AND route.externalId = :externalId', { provider, externalId })
			.getRawAndEntities();
		const entity = row.entities[0];
		const plan = row.raw[0]?.plan as PlanId | undefined;
		return entity && plan ? { ...entity, plan } : null;
	}
}

async function withAgentCheck<T>(write: () => Promise<T>): Promise<T> {
	try {
		return await write();
	} catch (error) {
		if (violatesConstraint(error, 'provider_accounts_agent_fkey')) throw notFound('agent');
		throw error;
	}
}
