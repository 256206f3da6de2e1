import type { Request, RequestHandler, Response } from 'express';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitConfig } from '../config';
import { HubError } from '../errors';
import type { Principal } from '../modules/auth/principal';
import { principalOf } from './auth';

const WINDOW_SECONDS = 60;

/**
 * What a limiter does when Redis cannot count:
 * - `open`: let the request through (logged). For authenticated routes: the caller has proved who they are, every
 *   route behind them needs PostgreSQL or Redis anyway, and refusing all traffic because a counter is missing would
 *   turn a Redis blip into a full outage of the pipeline.
 * - `closed`: refuse with 503. For /api/auth/*: the limit there is what stops password guessing, and an attacker
 *   must not get unlimited attempts by knocking Redis over.
 */
export type RedisDownPolicy = 'open' | 'closed';

export interface RateLimits {
	/** After authentication: per user or account API key. Platform keys (the operator's pipeline) are not limited. */
	perPrincipal: RequestHandler;
	/** Before authentication, on /api/auth/* credential exchanges (POST: register, login, refresh): per IP, stricter. */
	authByIp: RequestHandler;
}

/**
 * Whose budget a request spends, or null when it is not limited. Platform keys are the operator's shared n8n
 * pipeline acting for every tenant; each tenant's traffic through it is already bounded by its plan's DM quota.
 */
export function rateLimitSubject(principal: Principal): string | null {
	if (principal.kind === 'user') return `user:${principal.userId}`;
	return principal.accountId === null ? null : `api-key:${principal.apiKey.id}`;
}

/**
 * The draft IETF headers (draft-ietf-httpapi-ratelimit-headers-07: RateLimit-Policy and RateLimit) and the legacy
 * X-RateLimit-* trio many clients still read; X-RateLimit-Reset is a Unix time in seconds, as GitHub sends it.
 */
function setHeaders(res: Response, limit: number, state: RateLimiterRes, now: number): void {
	const resetSeconds = Math.max(0, Math.ceil(state.msBeforeNext / 1000));
	const remaining = Math.max(0, state.remainingPoints);
	res.setHeader('RateLimit-Policy', `${limit};w=${WINDOW_SECONDS}`);
	res.setHeader('RateLimit', `limit=${limit}, remaining=${remaining}, reset=${resetSeconds}`);
	res.setHeader('X-RateLimit-Limit', String(limit));
	res.setHeader('X-RateLimit-Remaining', String(remaining));
	res.setHeader('X-RateLimit-Reset', String(Math.ceil((now + state.msBeforeNext) / 1000)));
}

/**
 * Whether Redis is known to be unreachable: set by a connection error, cleared when the connection is ready again.
 * While down, limiters apply their policy at once instead of waiting for the command timeout on every request;
 * before the first connection completes, commands simply queue until it does.
 */
function trackRedisDown(redis: Redis): () => boolean {
	let down = false;
	redis.on('error', () => {
		down = true;
	});
	redis.on('ready', () => {
		down = false;
	});
	return () => down;
}

function limiter(
	redis: Redis,
	isRedisDown: () => boolean,
	keyPrefix: string,
	points: number,
	whenRedisDown: RedisDownPolicy,
	subjectOf: (req: Request, res: Response) => string | null,
	logger: Logger,
): RequestHandler {
	const counter = new RateLimiterRedis({
		storeClient: redis,
		keyPrefix,
		points,
		duration: WINDOW_SECONDS,
	});
	return async (req, res, next) => {
		const subject = subjectOf(req, res);
		if (subject === null) return next();
		try {
			if (isRedisDown()) throw new Error('redis is unreachable');
			setHeaders(res, points, await counter.consume(subject), Date.now());
		} catch (outcome) {
			if (outcome instanceof RateLimiterRes) {
				setHeaders(res, points, outcome, Date.now());
				res.setHeader('Retry-After', String(Math.max(1, Math.ceil(outcome.msBeforeNext / 1000))));
				throw new HubError(429, 'rate_limited', `Too many requests: at most ${points} per minute`);
			}
			logger.warn({ err: outcome, keyPrefix, policy: whenRedisDown }, 'rate limiter cannot reach redis');
			if (whenRedisDown === 'closed') {
				res.setHeader('Retry-After', '5');
				throw new HubError(503, 'rate_limiter_unavailable', 'Rate limiter is unavailable, retry later');
			}
		}
		next();
	};
}

export function createRateLimits(redis: Redis, config: RateLimitConfig, namespace: string, logger: Logger): RateLimits {
	const isRedisDown = trackRedisDown(redis);
	return {
		perPrincipal: limiter(
			redis,
			isRedisDown,
			`${namespace}:rate:principal`,
			config.perMinute,
			'open',
			(_req, res) => rateLimitSubject(principalOf(res)),
			logger,
		),
		authByIp: limiter(
			redis,
			isRedisDown,
			`${namespace}:rate:auth-ip`,
			config.authPerMinute,
			'closed',
			// GET /api/auth/me is an authenticated read, not a guess at credentials.
			(req) => (req.method === 'POST' ? (req.ip ?? req.socket.remoteAddress ?? 'unknown') : null),
			logger,
		),
	};
}
