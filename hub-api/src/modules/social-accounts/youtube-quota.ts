import type Redis from 'ioredis';
import type { YouTubeQuotaView } from '../../../../contracts/social-accounts';
import type { Clock } from '../../clock';
import { HubError, TooManyRequestsError } from '../../errors';

/** Without Redis the day's count is unknown: calls are refused rather than risk the project's quota. */
const unavailable = (error: unknown) =>
	new HubError(503, 'youtube_quota_unavailable', 'The YouTube quota count is unavailable, retry later', undefined, error);

/** What YouTube Data API calls cost (developers.google.com/youtube/v3/determine_quota_cost). */
export const YOUTUBE_COST = { list: 1, insert: 50 } as const;

const PACIFIC = 'America/Los_Angeles';

/** The Pacific calendar date of `at` (Google's quota day) and the instant the next one starts. */
export function pacificQuotaDay(at: Date): { day: string; resetAt: Date } {
	const day = new Intl.DateTimeFormat('en-CA', { timeZone: PACIFIC, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
	const [year, month, date] = day.split('-').map(Number) as [number, number, number];
	const nextMidnightUtc = Date.UTC(year, month - 1, date + 1);
	// Pacific midnight is 07:00 or 08:00 UTC, by the offset in force at that moment.
	const offset = new Intl.DateTimeFormat('en-US', { timeZone: PACIFIC, timeZoneName: 'shortOffset' })
		.formatToParts(new Date(nextMidnightUtc + 8 * 3_600_000))
		.find((part) => part.type === 'timeZoneName')?.value;
	const hours = Number(/GMT([+-]\d+)/.exec(offset ?? '')?.[1] ?? -8);
	return { day, resetAt: new Date(nextMidnightUtc - hours * 3_600_000) };
}

/**
 * The Google project's YouTube Data API units of the day, counted in Redis for every hub replica (quota is per
 * project, not per channel: every tenant's calls share it). A call is refused before it is made when it would pass
 * the limit, and once Google itself answered quotaExceeded (its count can run ahead of ours), until the Pacific
 * midnight reset. The key expires a day after that reset.
 */
export class YouTubeQuota {
	constructor(
		private readonly redis: Redis,
		private readonly namespace: string,
		private readonly projectId: string,
		private readonly limit: number,
		private readonly clock: Clock,
	) {}

	private today(): { key: string; resetAt: Date } {
		const { day, resetAt } = pacificQuotaDay(this.clock());
		return { key: `${this.namespace}:youtube-quota:${this.projectId}:${day}`, resetAt };
	}

	async view(): Promise<YouTubeQuotaView> {
		const { key, resetAt } = this.today();
		const [used, exceeded] = await this.redis.hmget(key, 'used', 'exceeded').catch((error: unknown) => {
			throw unavailable(error);
		});
		const spent = Number(used ?? 0);
		return { used: spent, limit: this.limit, resetAt: resetAt.toISOString(), exceeded: exceeded === '1' || spent >= this.limit };
	}

	private refusal(resetAt: Date): TooManyRequestsError {
		return new TooManyRequestsError(
			'youtube_quota_exceeded',
			`The YouTube Data API quota of the day is used up; it resets at ${resetAt.toISOString()}`,
			(resetAt.getTime() - this.clock().getTime()) / 1000,
		);
	}

	/** Counts `units` for a call about to be made, or throws 429 youtube_quota_exceeded (nothing counted). */
	async spend(units: number): Promise<void> {
		const { key, resetAt } = this.today();
		// One script: the check and the count cannot interleave with another replica's.
		const allowed = (await this.redis.eval(
			`local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
			if redis.call('HGET', KEYS[1], 'exceeded') == '1' or used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return 0 end
			redis.call('HINCRBY', KEYS[1], 'used', ARGV[1])
			redis.call('PEXPIREAT', KEYS[1], ARGV[3])
			return 1`,
			1,
			key,
			units,
			this.limit,
			resetAt.getTime() + 86_400_000,
		).catch((error: unknown) => {
			throw unavailable(error);
		})) as number;
		if (allowed !== 1) throw this.refusal(resetAt);
	}

	/** Google answered quotaExceeded: no more calls today. Returns the refusal to throw. */
	async markExceeded(): Promise<TooManyRequestsError> {
		const { key, resetAt } = this.today();
		await this.redis
			.multi()
			.hset(key, 'exceeded', '1')
			.pexpireat(key, resetAt.getTime() + 86_400_000)
			.exec()
			.catch((error: unknown) => {
				throw unavailable(error);
			});
		return this.refusal(resetAt);
	}
}
