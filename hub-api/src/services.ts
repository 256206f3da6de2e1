import type { DataSource } from 'typeorm';
import { CacheInvalidations } from './cache/cache-invalidations';
import type { Clock } from './clock';
import { AccountsRepository } from './modules/accounts/accounts.repository';
import { AccountsService } from './modules/accounts/accounts.service';
import { AgentsRepository } from './modules/agents/agents.repository';
import { AgentsService } from './modules/agents/agents.service';
import { BillingRepository } from './modules/billing/billing.repository';
import { PlanLimitsService } from './modules/billing/plan-limits.service';
import { ApiKeysRepository } from './modules/api-keys/api-keys.repository';
import { ApiKeysService } from './modules/api-keys/api-keys.service';
import { InteractionsRepository } from './modules/interactions/interactions.repository';
import { InteractionsService } from './modules/interactions/interactions.service';
import { LeadsRepository } from './modules/leads/leads.repository';
import { LeadsService } from './modules/leads/leads.service';
import { ProviderAccountsRepository } from './modules/provider-accounts/provider-accounts.repository';
import { ProviderAccountsService } from './modules/provider-accounts/provider-accounts.service';
import { RoutingService } from './modules/routing/routing.service';

/**
 * The database-backed services, wired once; shared by the HTTP app and the CLI. `invalidations` reaches the caches of
 * the hot path (authenticated keys, accounts) when a key is revoked or rotated or a plan changes.
 */
export function createServices(dataSource: DataSource, clock: Clock, invalidations = new CacheInvalidations()) {
	const apiKeys = new ApiKeysService(new ApiKeysRepository(dataSource), clock, invalidations);
	const accounts = new AccountsService(dataSource, new AccountsRepository(dataSource), apiKeys, invalidations);
	const providerAccountsRepository = new ProviderAccountsRepository(dataSource);
	return {
		apiKeys,
		accounts,
		agents: new AgentsService(new AgentsRepository(dataSource)),
		planLimits: new PlanLimitsService(new BillingRepository(dataSource)),
		providerAccounts: new ProviderAccountsService(providerAccountsRepository),
		routing: new RoutingService(providerAccountsRepository),
		interactions: new InteractionsService(new InteractionsRepository(dataSource), clock),
		leads: new LeadsService(new LeadsRepository(dataSource), clock),
	};
}

export type HubServices = ReturnType<typeof createServices>;
