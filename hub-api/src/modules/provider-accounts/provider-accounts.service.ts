import type { EntityManager } from 'typeorm';
import type { Provider } from '../../../../contracts/inbound-message';
import { HubError } from '../../errors';
import type { ProviderAccount } from './provider-account.entity';
import type { ProviderAccountsRepository } from './provider-accounts.repository';
import type { ProviderAccountView } from './provider-accounts.schemas';

export const toProviderAccountView = (row: ProviderAccount): ProviderAccountView => ({
	id: row.id,
	provider: row.provider,
	externalId: row.externalId,
	accountId: row.accountId,
	agentId: row.agentId,
	name: row.name,
	createdAt: row.createdAt.toISOString(),
});

export interface ClaimRequest {
	provider: Provider;
	externalId: string;
	agentId?: string | null;
	name?: string;
}

export class ProviderAccountsService {
	constructor(private readonly repository: ProviderAccountsRepository) {}

	/**
	 * A tenant's own claim: it may link its agent to (or rename) a provider account it already holds, but a new claim
	 * needs proof of ownership — an OAuth connection (GET /api/social-accounts/:provider/auth-url) — or the operator's
	 * platform key. The insert runs first inside the transaction, so an unknown agent is still its 404, and a refused
	 * claim leaves nothing behind.
	 */
	async claimHeld(accountId: string, request: ClaimRequest): Promise<{ providerAccount: ProviderAccountView; created: boolean }> {
		return this.repository.transaction(async (manager) => {
			const result = await this.claim(accountId, request, manager);
			if (result.created) {
				throw new HubError(
					403,
					'ownership_unproven',
					`Connect this ${request.provider} account through OAuth (GET /api/social-accounts/:provider/auth-url) to claim it, or ask the operator`,
				);
			}
			return result;
		});
	}

	/**
	 * Links a provider account to a tenant (the operator's claim, or one an OAuth connection proved). Claiming again
	 * from the same tenant is idempotent (and updates the agent or name when given); a provider account held by
	 * another tenant is a 409, never silently moved.
	 */
	async claim(
		accountId: string,
		request: ClaimRequest,
		manager?: EntityManager,
	): Promise<{ providerAccount: ProviderAccountView; created: boolean }> {
		const { row, created } = await this.repository.claim(
			{
				provider: request.provider,
				externalId: request.externalId,
				accountId,
				agentId: request.agentId ?? null,
				name: request.name ?? null,
			},
			manager,
		);
		if (row.accountId !== accountId) {
			throw new HubError(409, 'provider_account_taken', 'This provider account is already linked to another account');
		}
		if (created) return { providerAccount: toProviderAccountView(row), created };
		const changes = {
			...(request.agentId !== undefined && request.agentId !== row.agentId ? { agentId: request.agentId } : {}),
			...(request.name !== undefined && request.name !== row.name ? { name: request.name } : {}),
		};
		const current = Object.keys(changes).length > 0 ? await this.repository.update(row.id, changes, manager) : row;
		return { providerAccount: toProviderAccountView(current), created };
	}

	async list(accountId: string): Promise<ProviderAccountView[]> {
		return (await this.repository.listForAccount(accountId)).map(toProviderAccountView);
	}
}
