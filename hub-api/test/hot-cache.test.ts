/**
 * The hot path's cache (authenticated keys, accounts): fresh entries without a load, one load for concurrent misses,
 * an expired entry served while one reload runs, failed loads never cached. Time is a manual clock; loads are
 * promises the test settles.
 */
import { HotCache } from '../src/cache/hot-cache';

const TTL_MS = 5_000;

interface PendingLoad {
	key: string;
	context: string;
	resolve(value: { id: string; version: number }): void;
	reject(error: Error): void;
}

/** Lets the cache's promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setUp() {
	// lru-cache reads an entry's start time 0 as "no TTL": start the clock elsewhere.
	let now = 1_000_000;
	const loads: PendingLoad[] = [];
	const cache = new HotCache<string, { id: string; version: number }, string>({
		ttlMs: TTL_MS,
		max: 100,
		clock: { now: () => now },
		load: (key, context) =>
			new Promise((resolve, reject) => {
				loads.push({ key, context, resolve, reject });
			}),
	});
	/** Puts version 1 of key `a` in the cache through its first load. */
	const cacheFirstVersion = async () => {
		const first = cache.get('a', 'x');
		await settle();
		loads[0]!.resolve({ id: 'a', version: 1 });
		await first;
	};
	return { cache, loads, advance: (ms: number) => (now += ms), cacheFirstVersion };
}


describe('HotCache', () => {
	it('loads a missing key once for concurrent callers, then serves it without loading until it expires', async () => {
		const { cache, loads, advance } = setUp();
		const callers = [cache.get('a', 'first'), cache.get('a', 'second'), cache.get('a', 'third')];
		await settle();
		expect(loads.map((load) => [load.key, load.context])).toEqual([['a', 'first']]);
		loads[0]!.resolve({ id: 'a', version: 1 });
		expect(await Promise.all(callers)).toEqual([1, 2, 3].map(() => ({ id: 'a', version: 1 })));

		advance(TTL_MS - 1);
		// The value itself, not a promise: the per-DM path takes no promise turn for an entry that is fresh.
		expect(cache.get('a', 'later')).toEqual({ id: 'a', version: 1 });
		expect(loads).toHaveLength(1);
	});

	it('answers from an expired entry at once while one reload runs, and from the reloaded one after', async () => {
		const { cache, loads, advance, cacheFirstVersion } = setUp();
		await cacheFirstVersion();

		advance(TTL_MS + 1);
		// Both answered before the reload settles: nobody waits on the database for a key the process knows.
		expect(await Promise.all([cache.get('a', 'x'), cache.get('a', 'x')])).toEqual([
			{ id: 'a', version: 1 },
			{ id: 'a', version: 1 },
		]);
		expect(loads).toHaveLength(2);
		loads[1]!.resolve({ id: 'a', version: 2 });
		await settle();
		expect(await cache.get('a', 'x')).toEqual({ id: 'a', version: 2 });
		expect(loads).toHaveLength(2);
	});

	it('drops an expired entry whose reload fails: the next call waits for a fresh load and gets its error', async () => {
		const { cache, loads, advance, cacheFirstVersion } = setUp();
		await cacheFirstVersion();

		advance(TTL_MS + 1);
		expect(await cache.get('a', 'x')).toEqual({ id: 'a', version: 1 });
		loads[1]!.reject(new Error('revoked'));
		await settle();

		const next = cache.get('a', 'x');
		await settle();
		expect(loads).toHaveLength(3);
		loads[2]!.reject(new Error('revoked'));
		await expect(next).rejects.toThrow('revoked');
	});

	it('never caches a failed load', async () => {
		const { cache, loads } = setUp();
		const missing = cache.get('unknown', 'x');
		await settle();
		loads[0]!.reject(new Error('invalid key'));
		await expect(missing).rejects.toThrow('invalid key');

		const again = cache.get('unknown', 'x');
		await settle();
		expect(loads).toHaveLength(2);
		loads[1]!.resolve({ id: 'unknown', version: 1 });
		expect(await again).toEqual({ id: 'unknown', version: 1 });
	});

	it('drops matching entries on invalidation, expired ones included', async () => {
		const { cache, loads, advance } = setUp();
		const both = [cache.get('a', 'x'), cache.get('b', 'x')];
		await settle();
		loads[0]!.resolve({ id: 'row-1', version: 1 });
		loads[1]!.resolve({ id: 'row-2', version: 1 });
		await Promise.all(both);
		advance(TTL_MS + 1);

		cache.deleteWhere((value) => value.id === 'row-1');
		const reloaded = cache.get('a', 'x');
		await settle();
		// 'a' was dropped (a load, and the caller waits for it); 'b', expired but kept, is served while it reloads.
		expect(loads.map((load) => load.key)).toEqual(['a', 'b', 'a']);
		expect(await cache.get('b', 'x')).toEqual({ id: 'row-2', version: 1 });
		loads[2]!.resolve({ id: 'row-1', version: 2 });
		expect(await reloaded).toEqual({ id: 'row-1', version: 2 });
	});
});
