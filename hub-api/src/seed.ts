import type { DataSource } from 'typeorm';
import type { PlanId } from '../../contracts/hub-api';
import type { Provider } from '../../contracts/inbound-message';
import { systemClock } from './clock';
import type { AccountView } from './modules/accounts/accounts.schemas';
import type { AgentView } from './modules/agents/agents.schemas';
import type { CreatedApiKey } from './modules/api-keys/api-keys.schemas';
import type { ProviderAccountView } from './modules/provider-accounts/provider-accounts.schemas';
import { createDatabaseServices } from './services';

/** Operator-side seeding, shared by the CLI (`npm start`, e2e) and the test support, through the same services. */

export function createPlatformKey(dataSource: DataSource, name = 'platform'): Promise<CreatedApiKey> {
	return createDatabaseServices(dataSource, systemClock).apiKeys.create({ scope: 'platform' }, name);
}

export interface TenantSeed {
	name: string;
	plan?: PlanId;
	/** Links this provider account (page id, IG account id, phone_number_id …) to the tenant's agent. */
	externalAccount?: { provider: Provider; externalId: string };
}

export interface SeededTenant {
	account: AccountView;
	agent: AgentView;
	apiKey: CreatedApiKey;
	providerAccount: ProviderAccountView | null;
}

/** Account, first key, one agent and optionally the routing entry, in one transaction: all or nothing. */
export function createTenant(dataSource: DataSource, seed: TenantSeed): Promise<SeededTenant> {
	const services = createDatabaseServices(dataSource, systemClock);
	return dataSource.transaction(async (manager) => {
		const { account, apiKey } = await services.accounts.create(seed.name, seed.plan, manager);
		const agent = await services.agents.create(account.id, `${seed.name} agent`, manager);
		const providerAccount = seed.externalAccount
			? (
					await services.providerAccounts.claim(
						account.id,
						{ ...seed.externalAccount, agentId: agent.id, name: seed.name },
						manager,
					)
				).providerAccount
			: null;
		return { account, agent, apiKey, providerAccount };
	});
}
