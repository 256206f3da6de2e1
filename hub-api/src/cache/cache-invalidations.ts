import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Logger } from 'pino';

/** What changed: an API key (revoked, rotated) or an account (its plan). */
export type InvalidationTopic = 'api_key' | 'account';
export type InvalidationListener = (topic: InvalidationTopic, id: string) => void;

interface InvalidationMessage {
	origin: string;
	topic: InvalidationTopic;
	id: string;
}

/**
 * Tells every cache of the hot path that a row changed: this process's caches at once (synchronously, before the
 * change's request answers), and the other replicas' over Redis pub/sub on `<REDIS_NAMESPACE>:cache-invalidations`.
 * A replica that misses a message (Redis down, or connecting) still drops the entry when its short TTL runs out.
 */
export class CacheInvalidations {
	private readonly origin = randomUUID();
	private readonly listeners = new Set<InvalidationListener>();
	private readonly publisher: Redis | null;
	private readonly channel: string;
	private readonly logger: Logger | null;

	/** Without a publisher (CLI, tests of one service) only this process's caches hear of changes. */
	constructor(publisher: Redis | null = null, namespace = '', logger: Logger | null = null) {
		this.publisher = publisher;
		this.channel = `${namespace}:cache-invalidations`;
		this.logger = logger;
	}

	on(listener: InvalidationListener): void {
		this.listeners.add(listener);
	}

	invalidate(topic: InvalidationTopic, id: string): void {
		this.notify(topic, id);
		if (!this.publisher) return;
		const message: InvalidationMessage = { origin: this.origin, topic, id };
		this.publisher.publish(this.channel, JSON.stringify(message)).catch((error: unknown) => {
			this.logger?.warn({ err: error, topic, id }, 'could not publish a cache invalidation; other replicas catch up by TTL');
		});
	}

	/**
	 * Hears the other replicas' invalidations on `subscriber`, a connection of its own (pub/sub takes it over).
	 * Subscribes again whenever the connection becomes ready, as a first attempt fails while Redis is down.
	 */
	listen(subscriber: Redis): void {
		const subscribe = () =>
			subscriber.subscribe(this.channel).catch((error: unknown) => {
				this.logger?.warn({ err: error }, 'could not subscribe to cache invalidations; retrying when Redis is back');
			});
		subscriber.on('ready', () => void subscribe());
		subscriber.on('message', (channel: string, raw: string) => {
			if (channel !== this.channel) return;
			try {
				const message = JSON.parse(raw) as InvalidationMessage;
				if (message.origin !== this.origin) this.notify(message.topic, message.id);
			} catch (error) {
				this.logger?.warn({ err: error }, 'ignored a malformed cache invalidation');
			}
		});
		void subscribe();
	}

	private notify(topic: InvalidationTopic, id: string): void {
		for (const listener of this.listeners) listener(topic, id);
	}
}
