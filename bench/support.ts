/**
 * What the benchmarks share: the settings they read, a throwaway PostgreSQL database, the built hub's CLI, the CPU
 * time of a process and the removal of a run's Redis keys.
 * Imported by bench/<name>/run.ts; not a benchmark itself.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import pg from 'pg';

/** `npm run bench` runs every benchmark from the repository root. */
export const root = process.cwd();
export const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const say = (line: string) => process.stdout.write(`${line}\n`);

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

/** A database of its own (`skybot_bench_<random>`, the prefix to drop if a run is killed); `drop()` removes it. */
export async function createThrowawayDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
	const name = `skybot_bench_${randomBytes(5).toString('hex')}`;
	await withClient(baseUrl, (client) => client.query(`CREATE DATABASE ${name}`));
	return {
		name,
		url: Object.assign(new URL(baseUrl), { pathname: `/${name}` }).toString(),
		drop: () => withClient(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
	};
}

/** The built hub's entry points (`npm run build:hub`). */
export function builtHub(): { cli: string; main: string } {
	const dist = join('hub-api', 'dist', 'hub-api', 'src');
	if (!existsSync(join(root, dist, 'cli.js'))) throw new Error('Build the hub first: npm run build:hub');
	return { cli: join(dist, 'cli.js'), main: join(dist, 'main.js') };
}

/** Runs a Node script to its end and resolves its output (stdout and stderr); rejects with it on a non-zero exit. */
export function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk));
		child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${args.join(' ')}: ${output}`))));
	});
}

/** User + system CPU time of a process so far, in microseconds (Linux /proc; undefined elsewhere or once it is gone). */
export function cpuMicros(pid: number): number | undefined {
	try {
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
		// utime and stime, in clock ticks of 1/100 s (USER_HZ, 100 on Linux whatever the kernel's own HZ).
		return (Number(fields[11]) + Number(fields[12])) * 10_000;
	} catch {
		return undefined;
	}
}

/** Unlinks every Redis key matching `match` (a run's `<REDIS_NAMESPACE>:*`). */
export async function deleteKeys(match: string): Promise<void> {
	const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
	try {
		await redis.connect();
		for await (const batch of redis.scanStream({ match, count: 1000 })) {
			if ((batch as string[]).length > 0) await redis.unlink(...(batch as string[]));
		}
	} finally {
		redis.disconnect();
	}
}
