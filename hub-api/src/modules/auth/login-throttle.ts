import type Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { HubError, TooManyRequestsError } from '../../errors';

/**
 * Failed logins counted in Redis, so every hub replica shares the counters:
 * - per e-mail and IP: 5 failures in 15 minutes (guessing one person's password), cleared by a successful login;
 * - per IP: 50 failures in an hour (spraying many e-mails from one place).
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

	async assertAllowed(email: string, ip: string): Promise<void> {
		const [emailAndIp, fromIp] = await unavailableAs503(() =>
			Promise.all([this.byEmailAndIp.get(emailIpKey(email, ip)), this.byIp.get(ip)]),
		);
		const waits = [
			blockedFor(emailAndIp, LOGIN_LIMITS.perEmailAndIp.points),
			blockedFor(fromIp, LOGIN_LIMITS.perIp.points),
		].filter((wait): wait is number => wait !== null);
		if (waits.length > 0) {
			throw new TooManyRequestsError(
				'too_many_login_attempts',
				'Too many failed logins; try again later',
				Math.max(...waits) / 1000,
			);
		}
	}

	async recordFailure(email: string, ip: string): Promise<void> {
		await unavailableAs503(() =>
			Promise.all([
				this.byEmailAndIp.consume(emailIpKey(email, ip)).catch(ignoreLimitReached),
				this.byIp.consume(ip).catch(ignoreLimitReached),
			]),
		);
	}

	async recordSuccess(email: string, ip: string): Promise<void> {
		await unavailableAs503(() => this.byEmailAndIp.delete(emailIpKey(email, ip)));
	}
}

const emailIpKey = (email: string, ip: string) => `${email.toLowerCase()}|${ip}`;

/** Milliseconds until the limit frees up, or null while attempts remain. */
function blockedFor(state: RateLimiterRes | null, points: number): number | null {
	return state && state.consumedPoints >= points ? state.msBeforeNext : null;
}

/** consume() rejects with the limiter's state once the limit is passed: the failure is counted all the same. */
function ignoreLimitReached(rejection: unknown): void {
	if (!(rejection instanceof RateLimiterRes)) throw rejection;
}

/** Without the shared counters logins cannot be throttled; refuse clearly (retryable) rather than run unthrottled. */
async function unavailableAs503<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		throw new HubError(503, 'login_throttle_unavailable', 'Login is unavailable right now, retry later', undefined, error);
	}
}
