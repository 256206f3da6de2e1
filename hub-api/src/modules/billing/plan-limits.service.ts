import type { EntityManager } from 'typeorm';
import { HubError } from '../../errors';
import type { Account } from '../accounts/account.entity';
import { PLANS } from '../quotas/plans';
import type { BillingRepository } from './billing.repository';

/** 403 for an account whose Stripe customer was deleted: what it may no longer do (agents, checkouts). */
export const accountDeactivated = () =>
	new HubError(403, 'account_deactivated', 'This account is deactivated (its Stripe customer was deleted)');

/** Limits of the plan catalogue that are not DM quotas; works with or without Stripe configured. */
export class PlanLimitsService {
	constructor(private readonly repository: BillingRepository) {}

	/**
	 * Refuses a new agent beyond the plan's limit, or for a deactivated account. Must run inside the transaction that
	 * inserts the agent: it locks the account row, so concurrent creations are counted one after the other, and it
	 * reads the plan under that lock, so a plan change applies at once.
	 */
	async assertCanCreateAgent(account: Account, manager: EntityManager): Promise<void> {
		const plan = (await this.repository.lockAccountPlan(manager, account.id)) ?? account.plan;
		await this.assertNotDeactivated(account.id, manager);
		const { maxAgents, name } = PLANS[plan];
		if ((await this.repository.countAgents(manager, account.id)) >= maxAgents) {
			throw new HubError(
				403,
				'agent_limit_reached',
				`The ${name} plan allows ${maxAgents} agent${maxAgents === 1 ? '' : 's'}; upgrade to add more`,
				{ plan, maxAgents },
			);
		}
	}

	/** A deactivated account (its Stripe customer deleted) keeps its data, but none of its agents may run again. */
	async assertNotDeactivated(accountId: string, manager?: EntityManager): Promise<void> {
		const billing = await this.repository.findCustomer(accountId, manager);
		if (billing?.deactivatedAt) throw accountDeactivated();
	}

	/** `assertCanCreateAgent`, then `create` in the same transaction. */
	withinAgentLimit<T>(account: Account, create: (manager: EntityManager) => Promise<T>): Promise<T> {
		return this.repository.transaction(async (manager) => {
			await this.assertCanCreateAgent(account, manager);
			return create(manager);
		});
	}
}
