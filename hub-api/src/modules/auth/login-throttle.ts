import type Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { HubError, TooManyRequestsError } from '../../errors';

/**
 * Failed logins counted in Redis, so every hub replica shares the counters:
 * - per e-mail and IP: 5 failures in 15 minutes (guessing one person's password), cleared by a successful login;
 * - per IP: 50 failures in an hour (spraying many e-mails from one place).
 * Every attempt is counted before its password is checked and successes are given back, so these are limits on
 * failures that parallel requests cannot overrun.
 * Counting per (e-mail, IP) rather than per e-mail alone keeps an attacker from locking a person out of their account
 * from elsewhere. Once a limit is reached, attempts are refused with 429 before the password is even checked.
 */
export const LOGIN_LIMITS = {
	perEmailAndIp: { points: 5, durationSeconds: 15 * 60 },
	perIp: { points: 50, durationSeconds: 60 * 60 },
} as const;

export class LoginThrottle {
	private readonly byEmailAndIp: RateLimiterRedis;
	private readonly byIp: RateLimiterRedis;

	/** `keyPrefix` namespaces the counters (tests give each hub group its own). */
	constructor(redis: Redis, keyPrefix: string) {
		const limiter = (name: string, limit: { points: number; durationSeconds: number }) =>
			new RateLimiterRedis({
				storeClient: redis,
				keyPrefix: `${keyPrefix}:${name}`,
				points: limit.points,
				duration: limit.durationSeconds,
			});
		this.byEmailAndIp = limiter('login-fail:email-ip', LOGIN_LIMITS.perEmailAndIp);
		this.byIp = limiter('login-fail:ip', LOGIN_LIMITS.perIp);
	}

	/**
	 * Counts this attempt before the password is checked, atomically in Redis, so a burst of parallel guesses cannot
	 * all slip in under the limit; refuses with 429 once a limit is passed. A successful login gives its point back.
	 */
	async beginAttempt(email: string, ip: string): Promise<void> {
		const outcomes = await unavailableAs503(() =>
			Promise.all([this.byEmailAndIp.consume(emailIpKey(email, ip)), this.byIp.consume(ip)].map(limitReachedAsState)),
		);
		const waits = outcomes.filter((outcome) => outcome.limited).map((outcome) => outcome.state.msBeforeNext);
		if (waits.length > 0) {
			throw new TooManyRequestsError(
				'too_many_login_attempts',
				'Too many failed logins; try again later',
				Math.max(...waits) / 1000,
			);
		}
	}

	/** The person proved who they are: their e-mail's failures are forgotten and the IP's point is returned. */
	async recordSuccess(email: string, ip: string): Promise<void> {
		await unavailableAs503(() =>
			Promise.all([this.byEmailAndIp.delete(emailIpKey(email, ip)), this.byIp.reward(ip, 1)]),
		);
	}
}

const emailIpKey = (email: string, ip: string) => `${email.toLowerCase()}|${ip}`;

/** consume() rejects with the limiter's state once the limit is passed; anything else is a store failure. */
function limitReachedAsState(consumed: Promise<RateLimiterRes>): Promise<{ limited: boolean; state: RateLimiterRes }> {
	return consumed.then(
		(state) => ({ limited: false, state }),
		(rejection: unknown) => {
			if (rejection instanceof RateLimiterRes) return { limited: true, state: rejection };
			throw rejection;
		},
	);
}

/** Without the shared counters logins cannot be throttled; refuse clearly (retryable) rather than run unthrottled. */
async function unavailableAs503<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		throw new HubError(503, 'login_throttle_unavailable', 'Login is unavailable right now, retry later', undefined, error);
	}
}
