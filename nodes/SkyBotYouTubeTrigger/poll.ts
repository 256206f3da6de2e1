/**
 * What the SkyBot YouTube Trigger does on each poll, apart from n8n's context: which comment threads are new since
 * the watermark, what the watermark becomes, and how the polls are paced by the YouTube quota. Pure functions over
 * the state kept in the workflow's static data, so every rule is testable without a server.
 */
import type { YouTubeQuotaView } from '../../contracts/social-accounts';
import { type ThreadStamp, threadStamp } from '../SkyBotYouTube/helpers/youtube';

/** The newest comment time seen and the ids of the comments seen at exactly that instant (times have 1 s precision). */
export interface Watermark {
	channelId: string;
	publishedAt: string;
	ids: string[];
}

/** Kept in `getWorkflowStaticData('node')`, mutated in place (n8n stages and commits that object). */
export interface TriggerState {
	/** Each polled channel's mark, by channel id (one channel, or every channel connected to the hub). */
	watermarks?: Record<string, Watermark>;
	/** The single mark of earlier versions of this trigger, moved into `watermarks` on the next poll. */
	watermark?: Watermark;
	/** The OAuth2 credential's own channel, looked up once when the Channel ID is left empty. */
	ownChannelId?: string;
	/** No call before this instant (ISO 8601): YouTube answered quotaExceeded. */
	quotaBackoffUntil?: string;
	/** The backoff already logged, so a long backoff warns once, not at every poll. */
	quotaWarnedUntil?: string;
	/** Polls still to skip to spare the quota (see pollsToSkip). */
	skipPolls?: number;
	/** When the previous poll ran (ms), skipped or not: measures the trigger's interval. */
	lastTickAt?: number;
}

export type ThreadVerdict = 'new' | 'known' | 'older';

/** Where a thread stands against the watermark: newer, at the watermark's instant and seen, or older. */
export function verdictOf(stamp: ThreadStamp, watermark: Watermark): ThreadVerdict {
	const time = Date.parse(stamp.publishedAt);
	const mark = Date.parse(watermark.publishedAt);
	if (time > mark) return 'new';
	if (time < mark) return 'older';
	return watermark.ids.includes(stamp.id) ? 'known' : 'new';
}

export interface PageScan {
	/** New threads of the page, in the page's order (newest first). */
	fresh: unknown[];
	/** The page reached threads the watermark covers: no need for the next one. */
	reachedKnown: boolean;
}

/**
 * Sorts one page against the watermark. The whole page is read even past the first known thread: a thread can move
 * up the listing (YouTube's "time" order is not documented to be by first publication only), so a page is cheap
 * insurance; paging stops after a page that reached known threads.
 */
export function scanPage(items: unknown[], watermark: Watermark): PageScan {
	const fresh: unknown[] = [];
	let reachedKnown = false;
	for (const item of items) {
		const stamp = threadStamp(item);
		if (!stamp) continue;
		if (verdictOf(stamp, watermark) === 'new') fresh.push(item);
		else reachedKnown = true;
	}
	return { fresh, reachedKnown };
}

/**
 * The watermark after these threads were seen: the newest instant among them (or the old mark's, if newer) and every
 * id seen at that instant, the old mark's ones included when the instant did not move.
 */
export function advanceWatermark(channelId: string, previous: Watermark | undefined, seen: unknown[]): Watermark | undefined {
	const stamps = seen.map(threadStamp).filter((stamp): stamp is ThreadStamp => stamp !== undefined);
	let publishedAt = previous?.channelId === channelId ? previous.publishedAt : undefined;
	let ids = publishedAt !== undefined && previous ? [...previous.ids] : [];
	for (const stamp of stamps) {
		const time = Date.parse(stamp.publishedAt);
		if (publishedAt === undefined || time > Date.parse(publishedAt)) {
			publishedAt = stamp.publishedAt;
			ids = [stamp.id];
		} else if (time === Date.parse(publishedAt) && !ids.includes(stamp.id)) {
			ids.push(stamp.id);
		}
	}
	return publishedAt === undefined ? undefined : { channelId, publishedAt: new Date(publishedAt).toISOString(), ids };
}

/** Below this share of the daily quota used, the trigger polls at every tick. */
export const PACING_START = 0.5;
/** The share of the quota left that the trigger allows itself until the reset; replies need the rest (50 units each). */
export const TRIGGER_SHARE_OF_REMAINING = 0.25;

/**
 * How many of the next ticks to skip, from the quota the hub reports. The rule: the trigger may spend until the reset
 * at most a quarter of the units left (replies, at 50 units each, need the rest). At its current pace it would spend
 * (time to reset ÷ interval) × (units per poll); when that is more than its share, it polls only one tick in
 * ⌈spending ÷ share⌉, i.e. skips that many minus one. Nothing is skipped while less than half the quota is used (a
 * 1-minute trigger spends 1 440 units a day at most: fine early in the day), nor without a measured interval.
 *
 * E.g. 10 000 units, 8 000 used, 12 h to the reset, one 1-unit page per minute: it would spend 720, its share is
 * 500, so it polls every second tick. With 9 800 used: share 50, skips 14 ticks of 15.
 */
export function pollsToSkip(quota: YouTubeQuotaView, intervalMs: number | undefined, unitsPerPoll: number, now: number): number {
	if (quota.limit <= 0 || quota.used / quota.limit < PACING_START) return 0;
	if (intervalMs === undefined || intervalMs <= 0) return 0;
	const untilReset = Date.parse(quota.resetAt) - now;
	if (!(untilReset > 0)) return 0;
	const share = Math.max(0, quota.limit - quota.used) * TRIGGER_SHARE_OF_REMAINING;
	const spending = (untilReset / intervalMs) * Math.max(1, unitsPerPoll);
	if (spending <= share) return 0;
	if (share < 1) return Math.ceil(untilReset / intervalMs);
	return Math.ceil(spending / share) - 1;
}
