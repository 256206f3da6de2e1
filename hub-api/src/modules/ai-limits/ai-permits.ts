import type Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

const WINDOW_SECONDS = 60;

export interface PermitOutcome {
	allowed: boolean;
	remaining: number;
	/** Until the window ends: when a permit frees up if this one was refused. */
	msBeforeNext: number;
}

/**
 * Model requests per minute per account, counted in Redis (rate-limiter-flexible: one atomic INCR-with-expiry
 * script per permit) so that every hub replica, and through them every n8n worker, spends one budget. Keys:
 * `<REDIS_NAMESPACE>:ai:permits:<accountId>`, a fixed one-minute window from the account's first permit in it.
 *
 * A limiter has one limit, and the limit is the plan's: there is one limiter per distinct limit, all on the same
 * keys. So a plan change applies to the window in progress (what was spent stays spent, the new limit judges it).
 */
export class AiPermits {
	private readonly limiters = new Map<number, RateLimiterRedis>();

	constructor(private readonly redis: Redis, private readonly namespace: string) {}

	async take(accountId: string, perMinute: number): Promise<PermitOutcome> {
		try {
			const granted = await this.limiter(perMinute).consume(accountId);
			return { allowed: true, remaining: granted.remainingPoints, msBeforeNext: granted.msBeforeNext };
		} catch (outcome) {
			// A refusal is a RateLimiterRes; anything else (Redis down, timing out) is the caller's to report.
			if (!(outcome instanceof RateLimiterRes)) throw outcome;
			return { allowed: false, remaining: 0, msBeforeNext: Math.max(1, outcome.msBeforeNext) };
		}
	}

	private limiter(points: number): RateLimiterRedis {
		let limiter = this.limiters.get(points);
		if (!limiter) {
			limiter = new RateLimiterRedis({
				storeClient: this.redis,
				keyPrefix: `${this.namespace}:ai:permits`,
				points,
				duration: WINDOW_SECONDS,
			});
			this.limiters.set(points, limiter);
		}
		return limiter;
	}
}
