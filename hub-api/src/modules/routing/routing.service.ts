import type { RouteInactiveReason, RouteResponse } from '../../../../contracts/hub-api';
import type { Provider } from '../../../../contracts/inbound-message';
import { HubError } from '../../errors';
import type { ProviderAccountsRepository, Route } from '../provider-accounts/provider-accounts.repository';

/** Which tenant and agent an inbound message belongs to: the pipeline's first hub call after the trigger. */
export class RoutingService {
	constructor(private readonly providerAccounts: ProviderAccountsRepository) {}

	async route(provider: Provider, accountExternalId: string): Promise<RouteResponse> {
		const route = await this.providerAccounts.findRoute(provider, accountExternalId);
		if (!route) {
			throw new HubError(404, 'route_not_found', `No account is linked to ${provider} account ${accountExternalId}`);
		}
		const inactiveReason = inactiveReasonOf(route);
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

/** Why a route's messages must not be answered, or null. A provider account without a linked agent is answered by the
 * shared pipeline as before; a linked agent must be ACTIVE. */
function inactiveReasonOf(route: Route): RouteInactiveReason | null {
	if (route.accountDeactivated) return 'account_deactivated';
	if (route.agentStatus !== null && route.agentStatus !== 'ACTIVE') return 'agent_inactive';
	return null;
}
