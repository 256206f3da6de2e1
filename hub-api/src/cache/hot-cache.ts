import { LRUCache } from 'lru-cache';

export interface HotCacheOptions<K, V, Context> {
	/** How long an entry is fresh, in real time (not the hub's clock, which tests move by days). */
	ttlMs: number;
	/** The least recently used entries go first beyond this. */
	max: number;
	/** Loads one entry; throws when there is nothing to cache (an unknown key, a vanished row): misses are never cached. */
	load: (key: K, context: Context) => Promise<V>;
	/** Tests only: the time source of the TTL (performance.now() otherwise). */
	clock?: { now(): number };
}

/**
 * The hot path's in-process caches (authenticated API keys, accounts), on lru-cache. An entry past its TTL is still
 * served while ONE reload runs in the background (stale-while-revalidate), and concurrent misses of one key share one
 * load: the per-DM quota consume never waits on PostgreSQL for something this process already knows, and an expiring
 * entry does not send every request arriving meanwhile to the database. A reload that throws drops the entry, so the
 * next call waits for a fresh load (and its error). Changes made elsewhere reach the cache through `deleteWhere`
 * (Redis pub/sub invalidations), or after one TTL and one reload at the latest.
 */
export class HotCache<K extends NonNullable<unknown>, V extends NonNullable<unknown>, Context> {
	// Context stays `unknown` to lru-cache: its fetch() overloads cannot be resolved for a generic one. get() is the
	// only caller, always with a Context.
	private readonly entries: LRUCache<K, V, unknown>;

	constructor(options: HotCacheOptions<K, V, Context>) {
		this.entries = new LRUCache<K, V, unknown>({
			max: options.max,
			ttl: options.ttlMs,
			allowStale: true,
			// get() is the synchronous first try below; an expired entry it skips stays for fetch() to serve and reload.
			noDeleteOnStaleGet: true,
			...(options.clock && { perf: options.clock }),
			fetchMethod: (key, _stale, { context }) => options.load(key, context as Context),
		});
	}

	/**
	 * A fresh entry comes back as it is, without a promise: that is nearly every call on the per-DM path, where
	 * fetch() would add its bookkeeping and a few promise turns. Anything else (missing, expired) goes through fetch().
	 */
	get(key: K, context: Context): V | Promise<V> {
		return this.entries.get(key, { allowStale: false }) ?? this.fetch(key, context);
	}

	private async fetch(key: K, context: Context): Promise<V> {
		const value = await this.entries.fetch(key, { context });
		// fetch() resolves undefined only when the load did; `load` throws instead.
		if (value === undefined) throw new Error('hot cache load resolved nothing');
		return value;
	}

	delete(key: K): void {
		this.entries.delete(key);
	}

	/** Drops every entry whose value matches, stale ones included (invalidations name a row id, not the cache key). */
	deleteWhere(matches: (value: V) => boolean): void {
		const matching = [...this.entries.entries()].filter(([, value]) => matches(value));
		for (const [key] of matching) this.entries.delete(key);
	}
}
