import type Redis from 'ioredis';

/** A claim whose admission never finished (a hub that died mid-way) lets a redelivery in after this. */
const PENDING_CLAIM_SECONDS = 120;
/** Providers redeliver for up to a day or so: a decided message stays a duplicate for two. */
const DECIDED_CLAIM_SECONDS = 2 * 24 * 60 * 60;

/**
 * Ends a burst for the message that is still the conversation's latest: answers the burst's message ids (oldest first,
 * this one last) and clears it, so the next message starts a new burst; answers nil for a message a newer one replaced.
 * KEYS: 1 the conversation's latest message id, 2 the burst's message ids. ARGV: 1 this message id.
 */
const END_BURST_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local ids = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[1], KEYS[2])
return ids
`;

/** A message of a burst: what the reply that answers the whole burst reads. */
export interface BurstMessage {
	id: string;
	text: string;
	/** ISO 8601, the provider's: orders the burst. */
	at: string;
}

/**
 * The pipeline admission's state in Redis, shared by every hub replica (and so by every n8n worker calling them):
 * which messages were already admitted (a redelivery is a duplicate, before any model call), and each conversation's
 * burst in progress. Keys: `<REDIS_NAMESPACE>:pipeline:{<accountId>}:…` (one account's keys in one cluster slot).
 */
export class PipelineStore {
	private readonly endBurstCommand: (latestKey: string, messagesKey: string, messageId: string) => Promise<string[] | null>;

	constructor(private readonly redis: Redis, private readonly namespace: string) {
		redis.defineCommand('skybotEndBurst', { numberOfKeys: 2, lua: END_BURST_SCRIPT });
		this.endBurstCommand = (redis as unknown as { skybotEndBurst: PipelineStore['endBurstCommand'] }).skybotEndBurst.bind(redis);
	}

	/** True for the first delivery of a message (it is now being decided), false for a repeat. */
	async claim(accountId: string, messageId: string): Promise<boolean> {
		return (await this.redis.set(this.claimKey(accountId, messageId), 'pending', 'EX', PENDING_CLAIM_SECONDS, 'NX')) === 'OK';
	}

	/** The message was decided (answered or skipped): repeats are duplicates for two days. */
	async decided(accountId: string, messageId: string): Promise<void> {
		await this.redis.set(this.claimKey(accountId, messageId), 'decided', 'EX', DECIDED_CLAIM_SECONDS);
	}

	/** Deciding failed (a dependency down): a retry or a redelivery may try again at once. */
	async release(accountId: string, messageId: string): Promise<void> {
		await this.redis.del(this.claimKey(accountId, messageId));
	}

	/**
	 * Joins the conversation's burst, waits `windowMs` and answers the burst's messages (oldest first, this one among
	 * them) if no later message came meanwhile: this message answers them all. Null: a later message will. The texts are
	 * kept here, not read back from the recorded skips, whose records may still be on their way. The keys outlive the
	 * window a little, so a burst whose last message's hub died mid-wait is forgotten rather than kept.
	 */
	async joinBurst(accountId: string, conversationKey: string, message: BurstMessage, windowMs: number): Promise<BurstMessage[] | null> {
		const [latestKey, messagesKey] = this.burstKeys(accountId, conversationKey);
		const ttlMs = windowMs * 2 + 10_000;
		await this.redis
			.multi()
			.set(latestKey, message.id, 'PX', ttlMs)
			.rpush(messagesKey, JSON.stringify(message))
			.pexpire(messagesKey, ttlMs)
			.exec();
		await new Promise((resolve) => setTimeout(resolve, windowMs));
		const burst = await this.endBurstCommand(latestKey, messagesKey, message.id);
		if (burst === null) return null;
		return burst.map((entry) => JSON.parse(entry) as BurstMessage).sort((a, b) => a.at.localeCompare(b.at));
	}

	private accountBase(accountId: string): string {
		return `${this.namespace}:pipeline:{${accountId}}`;
	}

	private claimKey(accountId: string, messageId: string): string {
		return `${this.accountBase(accountId)}:claim:${messageId}`;
	}

	private burstKeys(accountId: string, conversationKey: string): [string, string] {
		const base = `${this.accountBase(accountId)}:burst:${conversationKey}`;
		return [`${base}:latest`, `${base}:messages`];
	}
}
