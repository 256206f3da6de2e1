import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';

/**
 * The longest answer the cache keeps: the longest reply an outcome records (interactionReply's text), so every
 * answer that went out can be cached, and one entry stays a few tens of kilobytes at most.
 */
export const ANSWER_TEXT_MAX = 20_000;
/**
 * How long a cache read or write may take before the caller goes on without it (a read then counts as a miss). Far
 * above a healthy Redis's answer (well under a millisecond) and far below the hub client's own 2 s command timeout:
 * the cache saves money, it must never hold up an answer.
 */
export const CACHE_WAIT_MS = 500;
/** A stored entry larger than this is not one the cache wrote: the answer's text, escaped, plus a little JSON. */
const STORED_MAX_CHARS = 6 * ANSWER_TEXT_MAX + 1_000;
/** What keyOf answers: a sha256 in hex. Anything else is refused before it becomes part of a Redis key. */
const KEY_PATTERN = /^[0-9a-f]{64}$/;
/** Changes whenever what keyOf hashes or how it normalises changes, so old entries are never read with new rules. */
const KEY_FORMAT = 'skybot-answer-cache/1';

/** A chat message of the context the model was sent: the conversation so far, oldest first. */
export interface ContextMessage {
	role: string;
	content: string;
}

/** Everything the model call is asked: an identical input would get the answer the first call got. */
export interface AnswerKeyInput {
	agentId: string;
	/** The agent's current version (agents.current_version); null for an agent that has none. */
	agentVersion: number | null;
	/** The contact's current message, as they wrote it: keyOf normalises it. */
	text: string;
	/** The conversation so far as sent to the model, oldest first, without the current message. */
	context: readonly ContextMessage[];
	model: string;
	/** The system prompt (instructions) sent with the call, exactly: it is the operator's text, not normalised. */
	instructions?: string;
}

/** One cached answer: the reply and what its model call cost (what a hit saves). */
export interface CachedAnswer {
	text: string;
	model: string;
	promptTokens: number;
	completionTokens: number;
	costUsd: number;
	/** ISO 8601: when the answer was stored. */
	storedAt: string;
}

const count = z.number().int().nonnegative().max(100_000_000);
/** Held to what an outcome's reply takes (outcomes.schemas.ts), so any answer that went out fits. */
const cachedAnswer = z
	.object({
		text: z.string().min(1).max(ANSWER_TEXT_MAX),
		model: z.string().min(1).max(200),
		promptTokens: count,
		completionTokens: count,
		costUsd: z.number().nonnegative().lt(1_000_000),
		storedAt: z.iso.datetime(),
	})
	.strip();

/**
 * The message as the cache compares it: Unicode compatibility forms folded (NFKC: full-width letters, ligatures, the
 * non-breaking space), whitespace runs collapsed to one space, trimmed, lower-cased. Accents are kept: "ou" and "où",
 * "si" and "sí" are different questions with different answers.
 */
export function normaliseMessage(text: string): string {
	return text.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/**
 * The cache key of a model call: sha256 of a canonical JSON array (fixed positions, so no key order to vary) of the
 * key format, the agent and its version, the model, the instructions, the normalised message and the context
 * messages (role, normalised content). Pure: the same input gives the same key on every hub replica.
 */
export function answerCacheKey(input: AnswerKeyInput): string {
	const canonical = JSON.stringify([
		KEY_FORMAT,
		input.agentId,
		input.agentVersion,
		input.model,
		input.instructions ?? null,
		normaliseMessage(input.text),
		input.context.map((message) => [message.role, normaliseMessage(message.content)]),
	]);
	return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** Rejects when `operation` takes longer than CACHE_WAIT_MS; the operation's own late failure is then ignored. */
function bounded<T>(operation: Promise<T>): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`answer cache: no answer from Redis within ${CACHE_WAIT_MS} ms`)), CACHE_WAIT_MS);
		timer.unref();
	});
	return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Answers of the reply step's model calls, in Redis under REDIS_NAMESPACE, one key per account and model input:
 * `<namespace>:ai:answers:{<accountId>}:<keyOf(...)>`, with the TTL the caller gives (AI_ANSWER_CACHE_TTL). Replicas
 * of one deployment share it; the account in the key keeps tenants apart even if two ever sent the same input.
 *
 * Best effort by design: it saves model calls, and must never cost an answer. Nothing here throws to the caller. A
 * read that fails, times out or finds an entry it cannot read is a miss (a malformed entry is also removed, so the
 * next answer can take its place); a write that fails is dropped; both log a warning.
 */
export class AnswerCache {
	private readonly keyPrefix: string;

	constructor(private readonly redis: Redis, namespace: string, private readonly logger: Logger) {
		this.keyPrefix = `${namespace}:ai:answers:`;
	}

	keyOf(input: AnswerKeyInput): string {
		return answerCacheKey(input);
	}

	async get(accountId: string, key: string): Promise<CachedAnswer | null> {
		if (!KEY_PATTERN.test(key)) {
			this.logger.warn({ accountId }, 'answer cache: not a cache key; counted as a miss');
			return null;
		}
		const redisKey = this.redisKey(accountId, key);
		let stored: string | null;
		try {
			stored = await bounded(this.redis.get(redisKey));
		} catch (error) {
			this.logger.warn({ err: error, accountId }, 'answer cache unavailable; answering without it');
			return null;
		}
		if (stored === null) return null;
		const answer = stored.length <= STORED_MAX_CHARS ? cachedAnswer.safeParse(parseJson(stored)) : undefined;
		if (answer?.success) return answer.data;
		this.logger.warn({ accountId, key, chars: stored.length }, 'answer cache: malformed entry removed; counted as a miss');
		// Removed so that the next answer's write (SET NX) can take its place; a failure here changes nothing more.
		await bounded(this.redis.del(redisKey)).catch(() => undefined);
		return null;
	}

	/**
	 * Stores `answer` for `ttlSeconds` (0 or less: the cache is off, nothing is stored) unless an entry is there
	 * already: SET NX, so a repeat of the same outcome changes nothing, and of two messages that missed together the
	 * first answer stays, its TTL unmoved.
	 */
	async put(accountId: string, key: string, answer: CachedAnswer, ttlSeconds: number): Promise<void> {
		if (!(ttlSeconds > 0)) return;
		const parsed = cachedAnswer.safeParse(answer);
		if (!KEY_PATTERN.test(key) || !parsed.success) {
			this.logger.warn(
				{ accountId, problems: parsed.error?.issues.map((issue) => issue.path.join('.') || issue.message) },
				'answer cache: not a cacheable answer (or not a cache key); not stored',
			);
			return;
		}
		try {
			await bounded(
				this.redis.set(this.redisKey(accountId, key), JSON.stringify(parsed.data), 'EX', Math.ceil(ttlSeconds), 'NX'),
			);
		} catch (error) {
			this.logger.warn({ err: error, accountId }, 'answer cache unavailable; answer not stored');
		}
	}

	/** The {accountId} hash tag keeps an account's entries in one slot of a Redis Cluster, as its quota keys are. */
	private redisKey(accountId: string, key: string): string {
		return `${this.keyPrefix}{${accountId}}:${key}`;
	}
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}
