import Redis from 'ioredis';
import type { Logger } from 'pino';

/**
 * The hub must start, and answer /api/ready with 503, while Redis is unreachable, so it connects in the background
 * and bounds every command: a command waits at most COMMAND_TIMEOUT_MS, queued or sent, then fails.
 */
const COMMAND_TIMEOUT_MS = 2_000;

export function createRedis(redisUrl: string, logger: Logger): Redis {
	const redis = new Redis(redisUrl, {
		commandTimeout: COMMAND_TIMEOUT_MS,
		maxRetriesPerRequest: 1,
		connectTimeout: COMMAND_TIMEOUT_MS,
	});
	// Without a listener an unreachable Redis would be an unhandled 'error' event; log only transitions, not every retry.
	let reachable = true;
	redis.on('error', (error: Error) => {
		if (reachable) logger.warn({ err: error }, 'redis unreachable; retrying in the background');
		reachable = false;
	});
	redis.on('ready', () => {
		if (!reachable) logger.info('redis reachable again');
		reachable = true;
	});
	return redis;
}

/** QUIT flushes pending replies when connected; a client that never connected is simply torn down. */
export async function closeRedis(redis: Redis): Promise<void> {
	if (redis.status === 'ready') {
		await redis.quit().catch(() => redis.disconnect());
	} else {
		redis.disconnect();
	}
}
