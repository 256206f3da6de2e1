import type { ConsumeQuotaResponse } from '../../../../contracts/hub-api';
import type { Clock } from '../../clock';
import { HubError } from '../../errors';
import type { Account } from '../accounts/account.entity';
import { DAILY_DM_LIMITS } from './plans';
import type { QuotaStore } from './quota-store';

export class QuotasService {
	private readonly store: QuotaStore;
	private readonly clock: Clock;

	constructor(store: QuotaStore, clock: Clock) {
		this.store = store;
		this.clock = clock;
	}

	async consume(account: Account, messageId: string, conversationId: string): Promise<ConsumeQuotaResponse> {
		const outcome = await this.store
			.consume({
				accountId: account.id,
				plan: account.plan,
				limit: DAILY_DM_LIMITS[account.plan],
				messageId,
				conversationId,
				now: this.clock(),
			})
			.catch((error: unknown) => {
				// Redis down or timing out: the pipeline gets a clear retryable answer, not a 500 or a hang.
				throw new HubError(503, 'quota_store_unavailable', 'Quota store is unavailable, retry later', undefined, error);
			});
		return {
			allowed: outcome.allowed,
			limit: outcome.limit,
			remaining: outcome.limit === null ? null : Math.max(0, outcome.limit - outcome.used),
			used: outcome.used,
			resetAt: outcome.resetAt,
			plan: outcome.plan,
			duplicate: outcome.duplicate,
			previousAllowedAt: outcome.previousAllowedAt,
		};
	}
}
