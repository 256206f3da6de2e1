import type { ConsumeQuotaResponse, PlanId } from '../../../../contracts/hub-api';
import type { Clock } from '../../clock';
import { HubError } from '../../errors';
import type { Account } from '../accounts/account.entity';
import { DAILY_DM_LIMITS } from './plans';
import { type QuotaStore, utcDayOf } from './quota-store';

/** Today's figures of an account's DM quota: what POST /quotas/consume and GET /billing/usage both report. */
export type QuotaUsage = Pick<ConsumeQuotaResponse, 'used' | 'limit' | 'remaining' | 'resetAt' | 'plan'>;

function quotaUsage(plan: PlanId, limit: number | null, used: number, resetAt: string): QuotaUsage {
	return { used, limit, remaining: limit === null ? null : Math.max(0, limit - used), resetAt, plan };
}

const storeUnavailable = (error: unknown) =>
	// Redis down or timing out: the caller gets a clear retryable answer, not a 500 or a hang.
	new HubError(503, 'quota_store_unavailable', 'Quota store is unavailable, retry later', undefined, error);

export class QuotasService {
	constructor(private readonly store: QuotaStore, private readonly clock: Clock) {}

	async consume(account: Pick<Account, 'id' | 'plan'>, messageId: string, conversationId: string): Promise<ConsumeQuotaResponse> {
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
				throw storeUnavailable(error);
			});
		return {
			allowed: outcome.allowed,
			...quotaUsage(outcome.plan, outcome.limit, outcome.used, outcome.resetAt),
			duplicate: outcome.duplicate,
			previousAllowedAt: outcome.previousAllowedAt,
			lastReplyAt: outcome.lastReplyAt,
			refunded: outcome.refunded,
		};
	}

	/**
	 * Gives back the unit a message consumed when it was not answered after all (the AI or the send failed); once, however
	 * often it is asked. True when the message's unit is now given back (by this call or an earlier one).
	 */
	async refund(accountId: string, messageId: string): Promise<boolean> {
		const result = await this.store.refund(accountId, messageId, this.clock()).catch((error: unknown) => {
			throw storeUnavailable(error);
		});
		return result === 'refunded' || result === 'refunded_past_day' || result === 'already_refunded';
	}

	/** A reply went out in the conversation at `at`: anti-flood's window starts there (consume's `lastReplyAt`). */
	async replied(accountId: string, conversationId: string, at: Date): Promise<void> {
		await this.store.recordReply(accountId, conversationId, at).catch((error: unknown) => {
			throw storeUnavailable(error);
		});
	}

	/** When the conversation was last answered, or null (anti-flood's window starts there). */
	async lastReplyAt(accountId: string, conversationId: string): Promise<Date | null> {
		const at = await this.store.lastReplyAt(accountId, conversationId).catch((error: unknown) => {
			throw storeUnavailable(error);
		});
		return at === null ? null : new Date(at);
	}

	/** The same figures as a consume would report, without consuming anything. */
	async usage(account: Account): Promise<QuotaUsage> {
		const now = this.clock();
		const used = await this.store.usedToday(account.id, now).catch((error: unknown) => {
			throw storeUnavailable(error);
		});
		return quotaUsage(account.plan, DAILY_DM_LIMITS[account.plan], used, utcDayOf(now).resetAt);
	}
}
