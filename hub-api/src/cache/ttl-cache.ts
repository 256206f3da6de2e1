/**
 * A small in-process cache for the hot path: entries live `ttlMs` (real time, not the hub's clock, which tests move
 * by days) and at most `maxEntries` are kept, the oldest inserted going first. Misses are never cached.
 */
export class TtlCache<K, V> {
	private readonly entries = new Map<K, { value: V; expiresAt: number }>();
	private readonly ttlMs: number;
	private readonly maxEntries: number;

	constructor(ttlMs: number, maxEntries: number) {
		this.ttlMs = ttlMs;
		this.maxEntries = maxEntries;
	}

	get(key: K): V | undefined {
		const entry = this.entries.get(key);
		if (!entry) return undefined;
		if (entry.expiresAt <= performance.now()) {
			this.entries.delete(key);
			return undefined;
		}
		return entry.value;
	}

	set(key: K, value: V): void {
		this.entries.delete(key);
		if (this.entries.size >= this.maxEntries) {
			const oldest = this.entries.keys().next();
			if (!oldest.done) this.entries.delete(oldest.value);
		}
		this.entries.set(key, { value, expiresAt: performance.now() + this.ttlMs });
	}

	delete(key: K): void {
		this.entries.delete(key);
	}

	/** Drops every entry whose value matches (invalidations name a row id, not the cache key). */
	deleteWhere(matches: (value: V) => boolean): void {
		for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
	}
}
