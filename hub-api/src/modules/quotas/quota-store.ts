import type Redis from 'ioredis';
import type { PlanId } from '../../../../contracts/hub-api';

const DAY_SECONDS = 24 * 60 * 60;
/** Longer than a day so a counter outlives its own UTC day even when the clock of a replica is a little off. */
const COUNTER_TTL_SECONDS = 2 * DAY_SECONDS;
/** The anti-flood and 24 h messaging-window rules look back at most one day. */
const CONVERSATION_TTL_SECONDS = DAY_SECONDS;
/** Providers redeliver webhooks for up to a day or so; a repeat within 48 h gets the first answer. */
const RESULT_TTL_SECONDS = 2 * DAY_SECONDS;
const UNLIMITED = -1;

/**
 * Daily quota counters in Redis, consumed by ONE Lua script so that the duplicate check, the counter and the
 * conversation's last-allowed time change together: concurrent consumes can neither overshoot the limit nor count
 * a retried message twice.
 *
 * KEYS: 1 stored result for this message, 2 today's counter, 3 the conversation's last-allowed time, 4 the
 * conversation's last-reply time (set by a `replied` outcome, RECORD_REPLY_SCRIPT), read only.
 * ARGV: 1 limit (-1 = unlimited), 2 now (ISO), 3 resetAt (ISO), 4 plan.
 * Returns {1, stored JSON} for a repeat, {0, new JSON} otherwise. Redis GET yields false for a missing key.
 * The script runs once per DM: the TTLs are part of its text rather than arguments, and the counter gets its TTL
 * when INCR creates it (the script is atomic, so no counter is ever left without one).
 */
const CONSUME_SCRIPT = `
local stored = redis.call('GET', KEYS[1])
if stored then return {1, stored} end
local previous = redis.call('GET', KEYS[3])
local lastReply = redis.call('GET', KEYS[4])
local limit = tonumber(ARGV[1])
local used = redis.call('INCR', KEYS[2])
if used == 1 then redis.call('EXPIRE', KEYS[2], ${COUNTER_TTL_SECONDS}) end
local allowed = true
if limit >= 0 and used > limit then
  used = redis.call('DECR', KEYS[2])
  allowed = false
else
  redis.call('SET', KEYS[3], ARGV[2], 'EX', ${CONVERSATION_TTL_SECONDS})
end
local result = cjson.encode({
  allowed = allowed, used = used, limit = limit, resetAt = ARGV[3], plan = ARGV[4],
  previousAllowedAt = previous or cjson.null, lastReplyAt = lastReply or cjson.null
})
redis.call('SET', KEYS[1], result, 'EX', ${RESULT_TTL_SECONDS})
return {0, result}
`;

/**
 * Gives back the unit a message consumed, once: the message's stored answer is marked `refunded` (so neither a repeat
 * of the refund nor a redelivery's consume counts it again) and, when it was counted today, today's counter goes one
 * down, never below zero. A unit of a past day is marked but not given back: it must not lower today's count.
 *
 * KEYS: 1 the message's stored answer, 2 today's counter. ARGV: 1 today's resetAt (ISO), which the answer holds too.
 * Returns 0 unknown message (nothing consumed, or its answer expired), 1 not allowed (nothing consumed),
 * 2 already refunded, 3 refunded now (counter lowered), 4 refunded now (a past day's unit: counter untouched).
 */
const REFUND_SCRIPT = `
local stored = redis.call('GET', KEYS[1])
if not stored then return 0 end
local answer = cjson.decode(stored)
if answer.allowed ~= true then return 1 end
if answer.refunded == true then return 2 end
answer.refunded = true
redis.call('SET', KEYS[1], cjson.encode(answer), 'KEEPTTL')
if answer.resetAt ~= ARGV[1] then return 4 end
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used > 0 then redis.call('DECR', KEYS[2]) end
return 3
`;

/**
 * The conversation's last reply: what anti-flood counts (replies sent, not messages seen). Only moves forward, so an
 * outcome recorded late never restarts the window in the past. ISO 8601 UTC strings of one format compare as times.
 * KEYS: 1 the conversation's last-reply time. ARGV: 1 the reply's time (ISO).
 */
const RECORD_REPLY_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and current >= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ${CONVERSATION_TTL_SECONDS})
return 1
`;

const REFUND_RESULTS = ['unknown', 'not_consumed', 'already_refunded', 'refunded', 'refunded_past_day'] as const;
/** What a refund did: see REFUND_SCRIPT. */
export type RefundResult = (typeof REFUND_RESULTS)[number];

export interface ConsumeInput {
	accountId: string;
	plan: PlanId;
	limit: number | null;
	messageId: string;
	conversationId: string;
	now: Date;
}

export interface ConsumeOutcome {
	allowed: boolean;
	used: number;
	limit: number | null;
	resetAt: string;
	plan: PlanId;
	previousAllowedAt: string | null;
	lastReplyAt: string | null;
	duplicate: boolean;
	/** The unit this message consumed was given back (its reply failed): a redelivery consumes nothing either. */
	refunded: boolean;
}

interface StoredOutcome {
	allowed: boolean;
	used: number;
	limit: number;
	resetAt: string;
	plan: PlanId;
	previousAllowedAt: string | null;
	/** Absent in answers stored before the hub recorded replies. */
	lastReplyAt?: string | null;
	refunded?: boolean;
}

type ConsumeCommand = (
	resultKey: string,
	counterKey: string,
	conversationKey: string,
	replyKey: string,
	...args: (string | number)[]
) => Promise<[0 | 1, string]>;

/** A UTC day: its date (the counter key's suffix) and the next midnight (when its quota resets). */
export interface UtcDay {
	startsAt: number;
	endsAt: number;
	date: string;
	resetAt: string;
}

const DAY_MS = DAY_SECONDS * 1000;
let lastDay: UtcDay | undefined;

/** The UTC day `now` falls in. Remembered until the clock leaves it: a consume per DM need not format two dates. */
export function utcDayOf(now: Date): UtcDay {
	const time = now.getTime();
	if (lastDay && time >= lastDay.startsAt && time < lastDay.endsAt) return lastDay;
	const startsAt = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
	const endsAt = startsAt + DAY_MS;
	lastDay = { startsAt, endsAt, date: new Date(startsAt).toISOString().slice(0, 10), resetAt: new Date(endsAt).toISOString() };
	return lastDay;
}

/**
 * Every key of an account's quota: `<namespace>:quota:{<accountId>}:…`. The namespace is the deployment's
 * REDIS_NAMESPACE, so two deployments sharing one Redis keep their own counters while replicas of one share them
 * (the default namespace, skybot, gives the keys the hub wrote before it had one). The {accountId} hash tag keeps one
 * account's keys in one slot, as a script touching several keys needs on a Redis Cluster; the namespace holds no
 * brace (config.ts), so the tag stays the account id.
 */
const quotaKeyPrefix = (namespace: string) => `${namespace}:quota:`;

export class QuotaStore {
	private readonly redis: Redis;
	private readonly consumeCommand: ConsumeCommand;
	private readonly refundCommand: (resultKey: string, counterKey: string, resetAt: string) => Promise<number>;
	private readonly recordReplyCommand: (replyKey: string, at: string) => Promise<number>;
	private readonly keyPrefix: string;

	constructor(redis: Redis, namespace: string) {
		this.redis = redis;
		this.keyPrefix = quotaKeyPrefix(namespace);
		// defineCommand sends EVALSHA and falls back to EVAL once per connection when the script is not cached.
		redis.defineCommand('skybotConsumeQuota', { numberOfKeys: 4, lua: CONSUME_SCRIPT });
		const commands = redis as unknown as { skybotConsumeQuota: ConsumeCommand };
		this.consumeCommand = commands.skybotConsumeQuota.bind(redis);
		redis.defineCommand('skybotRefundQuota', { numberOfKeys: 2, lua: REFUND_SCRIPT });
		this.refundCommand = (redis as unknown as { skybotRefundQuota: QuotaStore['refundCommand'] }).skybotRefundQuota.bind(redis);
		redis.defineCommand('skybotRecordReply', { numberOfKeys: 1, lua: RECORD_REPLY_SCRIPT });
		this.recordReplyCommand = (redis as unknown as { skybotRecordReply: QuotaStore['recordReplyCommand'] }).skybotRecordReply.bind(
			redis,
		);
	}

	async consume(input: ConsumeInput): Promise<ConsumeOutcome> {
		const base = this.accountKeyBase(input.accountId);
		const day = utcDayOf(input.now);
		const [duplicate, json] = await this.consumeCommand(
			`${base}:message:${input.messageId}`,
			this.dayCounterKey(input.accountId, day),
			`${base}:conversation:${input.conversationId}`,
			this.replyKey(input.accountId, input.conversationId),
			input.limit ?? UNLIMITED,
			input.now.toISOString(),
			day.resetAt,
			input.plan,
		);
		const stored = JSON.parse(json) as StoredOutcome;
		return {
			...stored,
			limit: stored.limit === UNLIMITED ? null : stored.limit,
			lastReplyAt: stored.lastReplyAt ?? null,
			duplicate: duplicate === 1,
			refunded: stored.refunded === true,
		};
	}

	/** Gives back the unit `messageId` consumed, at most once (REFUND_SCRIPT). */
	async refund(accountId: string, messageId: string, now: Date): Promise<RefundResult> {
		const day = utcDayOf(now);
		const code = await this.refundCommand(
			`${this.accountKeyBase(accountId)}:message:${messageId}`,
			this.dayCounterKey(accountId, day),
			day.resetAt,
		);
		return REFUND_RESULTS[code] ?? 'unknown';
	}

	/** Records that the conversation was answered at `at` (moves the last-reply time forward only). */
	async recordReply(accountId: string, conversationId: string, at: Date): Promise<void> {
		await this.recordReplyCommand(this.replyKey(accountId, conversationId), at.toISOString());
	}

	/** When the conversation was last answered (ISO), or null: what anti-flood counts from. */
	async lastReplyAt(accountId: string, conversationId: string): Promise<string | null> {
		return await this.redis.get(this.replyKey(accountId, conversationId));
	}

	/** DMs already allowed today (UTC), read without consuming: the same counter the consume script keeps. */
	async usedToday(accountId: string, now: Date): Promise<number> {
		return Number((await this.redis.get(this.dayCounterKey(accountId, utcDayOf(now)))) ?? 0);
	}

	private accountKeyBase(accountId: string): string {
		return `${this.keyPrefix}{${accountId}}`;
	}

	/** Not under `conversation:`: a conversation id may itself end in `:reply`. */
	private replyKey(accountId: string, conversationId: string): string {
		return `${this.accountKeyBase(accountId)}:reply:${conversationId}`;
	}

	private dayCounterKey(accountId: string, day: UtcDay): string {
		return `${this.accountKeyBase(accountId)}:day:${day.date}`;
	}
}
