/**
 * Quota benchmark: throughput and latency of POST /api/quotas/consume (the pipeline's hot path: API-key
 * authentication, account lookup, the atomic Lua consume in Redis) side by side, in the same run, with a bare Express
 * endpoint doing one Redis INCR (the floor, bench/quota/floor-server.ts).
 *
 *   npm run build:hub && npm run bench -- quota          (from the repository root)
 *   BENCH_DURATION=20 BENCH_CONNECTIONS=64 npm run bench -- quota
 *
 * Both servers run as separate processes on loopback; autocannon (in this process) loads one at a time: first at
 * full speed (BENCH_CONNECTIONS connections), then at a fixed 500 requests/s. Every consume carries a new messageId,
 * for an Ultra account through the platform key, as the shared n8n pipeline sends them. The hub logs at warn (below
 * debug it never logs a successful consume anyway). Creates a throwaway database and drops it. Reports numbers;
 * passes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import pg from 'pg';

const root = process.cwd();
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const FIXED_RATE = 500;

const say = (line: string) => process.stdout.write(`${line}\n`);

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk));
		child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${args.join(' ')}: ${output}`))));
	});
}

/** Starts a server process and waits until `readyUrl` answers. */
async function startProcess(args: string[], env: NodeJS.ProcessEnv, readyUrl: string): Promise<ChildProcess> {
	const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
	let exited = false;
	child.on('exit', () => (exited = true));
	for (;;) {
		if (exited) throw new Error(`${args.join(' ')} exited before answering`);
		const ready = await fetch(readyUrl).then((response) => response.ok, () => false);
		if (ready) return child;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

interface Measured {
	requestsPerSecond: number;
	p50: number;
	p99: number;
	failures: number;
}

async function load(url: string, headers: Record<string, string>, body: () => string, rate?: number): Promise<Measured> {
	const result = await autocannon({
		url,
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		connections: rate ? 20 : connections,
		duration: durationSeconds,
		...(rate && { overallRate: rate }),
		requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
	});
	return {
		requestsPerSecond: result.requests.average,
		p50: result.latency.p50,
		p99: result.latency.p99,
		failures: result.non2xx + result.errors + result.timeouts,
	};
}

async function main(): Promise<void> {
	const cli = join('hub-api', 'dist', 'hub-api', 'src', 'cli.js');
	const name = `skybot_bench_${randomBytes(5).toString('hex')}`;
	await withClient(baseUrl, (client) => client.query(`CREATE DATABASE ${name}`));
	const databaseUrl = Object.assign(new URL(baseUrl), { pathname: `/${name}` }).toString();
	const [hubPort, floorPort] = [await freePort(), await freePort()];
	const env: NodeJS.ProcessEnv = {
		...process.env,
		DATABASE_URL: databaseUrl,
		REDIS_URL: redisUrl,
		REDIS_NAMESPACE: name,
		PORT: String(hubPort),
		LOG_LEVEL: 'warn',
		JWT_SECRET: randomBytes(32).toString('base64url'),
	};
	const children: ChildProcess[] = [];
	let accountId: string | undefined;
	try {
		await run([cli, 'migrate'], env);
		const tenant = JSON.parse(await run([cli, 'create-account', '--name', 'bench', '--plan', 'ultra'], env));
		const platformKey: string = JSON.parse(await run([cli, 'create-platform-key', '--name', 'bench'], env)).key;
		accountId = tenant.account.id as string;

		const hubUrl = `http://127.0.0.1:${hubPort}`;
		const floorUrl = `http://127.0.0.1:${floorPort}`;
		children.push(await startProcess([join('hub-api', 'dist', 'hub-api', 'src', 'main.js')], env, `${hubUrl}/api/health`));
		const floorEnv = { ...process.env, PORT: String(floorPort), REDIS_URL: redisUrl, FLOOR_KEY: `${name}:floor` };
		const floor = spawn(process.execPath, [join('bench', 'quota', 'floor-server.ts')], { cwd: root, env: floorEnv });
		children.push(floor);
		await new Promise((resolve) => floor.stdout.once('data', resolve));

		let sequence = 0;
		const consumeBody = () => JSON.stringify({ messageId: `bench.${name}.${(sequence += 1)}`, conversationId: `c${sequence % 1000}`, accountId });
		const targets: { label: string; url: string; headers: Record<string, string>; body: () => string }[] = [
			{ label: 'floor: express + 1 INCR', url: `${floorUrl}/incr`, headers: {}, body: () => '{"messageId":"x"}' },
			{ label: 'POST /api/quotas/consume', url: `${hubUrl}/api/quotas/consume`, headers: { 'x-api-key': platformKey }, body: consumeBody },
		];
		say(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM`);
		say(`${durationSeconds} s per run, ${connections} connections at full speed, 20 at ${FIXED_RATE} req/s; hub LOG_LEVEL=warn\n`);
		const rows: { label: string; full: Measured; fixed: Measured }[] = [];
		for (const target of targets) {
			await load(target.url, target.headers, target.body, 200); // warm-up: JIT, connection pools, script cache
			const full = await load(target.url, target.headers, target.body);
			const fixed = await load(target.url, target.headers, target.body, FIXED_RATE);
			rows.push({ label: target.label, full, fixed });
		}
		const floorRate = rows[0]!.full.requestsPerSecond;
		// At the fixed rate, "achieved" below 500 means the server could not keep up and requests queued.
		say('endpoint                    req/s    p50 ms  p99 ms  × floor   @500/s: achieved  p99 ms  failures');
		for (const { label, full, fixed } of rows) {
			say(
				`${label.padEnd(26)}${full.requestsPerSecond.toFixed(0).padStart(7)}${String(full.p50).padStart(9)}${String(full.p99).padStart(8)}` +
					`${(full.requestsPerSecond / floorRate).toFixed(2).padStart(9)}${fixed.requestsPerSecond.toFixed(0).padStart(19)}` +
					`${String(fixed.p99).padStart(8)}${String(full.failures + fixed.failures).padStart(10)}`,
			);
		}
	} finally {
		for (const child of children) child.kill('SIGTERM');
		await new Promise((resolve) => setTimeout(resolve, 500));
		await withClient(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
		// A run consumes ~10^5 messages, each leaving an idempotency key (48 h TTL) in the shared Redis.
		await deleteKeys([`skybot:quota:{${accountId ?? 'none'}}:*`, `${name}:*`]);
	}
}

async function deleteKeys(patterns: string[]): Promise<void> {
	const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
	try {
		await redis.connect();
		for (const match of patterns) {
			for await (const batch of redis.scanStream({ match, count: 1000 })) {
				if ((batch as string[]).length > 0) await redis.unlink(...(batch as string[]));
			}
		}
	} finally {
		redis.disconnect();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
