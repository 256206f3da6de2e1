import type { RouteInactiveReason, RouteResponse } from '../../../../contracts/hub-api';
import type { Provider } from '../../../../contracts/inbound-message';
import { HubError } from '../../errors';
import type { ProviderAccountsRepository } from '../provider-accounts/provider-accounts.repository';

/** Which tenant and agent an inbound message belongs to: the pipeline's first hub call after the trigger. */
export class RoutingService {
	private readonly providerAccounts: ProviderAccountsRepository;

	constructor(providerAccounts: ProviderAccountsRepository) {
		this.providerAccounts = providerAccounts;
	}

	async route(provider: Provider, accountExternalId: string): Promise<RouteResponse> {
		const route = await this.providerAccounts.findRoute(provider, accountExternalId);
		if (!route) {
			throw new HubError(404, 'route_not_found', `No account is linked to ${provider} account ${accountExternalId}`);
		}
		// An account without a linked agent is answered by the shared pipeline as before; a linked agent must be ACTIVE.
		const inactiveReason: RouteInactiveReason | null = route.accountDeactivated
			? 'account_deactivated'
			: route.agentStatus !== null && route.agentStatus !== 'ACTIVE'
				? 'agent_inactive'
				: null;
		return {
			provider,
			accountExternalId,
			accountId: route.accountId,
			agentId: route.agentId,
			plan: route.plan,
			active: inactiveReason === null,
			inactiveReason,
		};
	}
}
