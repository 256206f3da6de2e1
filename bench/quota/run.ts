/**
 * Quota benchmark: throughput and latency of POST /api/quotas/consume (the pipeline's hot path: API-key
 * authentication, account lookup, the atomic Lua consume in Redis) side by side, in the same run, with a bare Express
 * endpoint doing one Redis INCR (the floor, bench/quota/floor-server.ts).
 *
 *   npm run build:hub && npm run bench -- quota          (from the repository root)
 *   BENCH_ROUNDS=5 BENCH_DURATION=20 BENCH_CONNECTIONS=64 npm run bench -- quota
 *   BENCH_HUB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/hub-profile" npm run bench -- quota   (profiles the hub)
 *
 * Both servers run as separate processes on loopback; this process loads one at a time: after a warm-up,
 * BENCH_ROUNDS rounds at full speed with autocannon (BENCH_CONNECTIONS connections), the floor and the hub in turn,
 * each round also reading the server's and Redis's CPU time per request; then BENCH_ROUNDS rounds each at a fixed 500
 * requests/s, evenly spaced (paced-load.ts: autocannon's own rate limit sends each second's requests in one burst),
 * with the share of requests each server timed itself as answered within 5, 10 and 25 ms (the hub's request
 * histogram, the floor's own count). The ratio reported is the median of the rounds' ratios. Every request carries a
 * new messageId, for an Ultra account through the platform key, as the shared n8n pipeline sends them. The hub logs at
 * warn (below debug it never logs a successful consume anyway).
 * Creates a throwaway database and drops it. Reports numbers; passes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { builtHub, cpuMicros, createThrowawayDatabase, deleteKeys, redisUrl, root, runNode, say } from '../support.ts';
import { pacedLoad } from './paced-load.ts';

const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const FIXED_RATE = 500;
const WARM_UP_SECONDS = 5;

function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
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
	/** CPU time (user + system) per request of the server process, and of Redis when it runs on this machine. */
	cpuMicrosPerRequest: number | undefined;
	redisCpuMicrosPerRequest: number | undefined;
}

interface Target {
	label: string;
	url: string;
	headers: Record<string, string>;
	body: () => string;
	/** The server process, whose CPU time the fixed-rate run reads. */
	pid: number;
	/** The server's own count of answered requests by duration (cumulative per `le` bucket, in seconds). */
	answeredWithin: () => Promise<Buckets>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Redis's process id when it runs on this machine (its CPU is read like the servers'), else undefined. */
async function localRedisPid(): Promise<number | undefined> {
	const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
	try {
		const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
		return cpuMicros(pid) === undefined ? undefined : pid;
	} finally {
		redis.disconnect();
	}
}

let redisPid: number | undefined;

const perRequest = (before: number | undefined, after: number | undefined, requests: number) =>
	before === undefined || after === undefined ? undefined : (after - before) / requests;

/** Full speed with BENCH_CONNECTIONS connections, for BENCH_DURATION unless `seconds`. */
async function load(target: Target, { seconds = durationSeconds }: { seconds?: number } = {}): Promise<Measured> {
	const cpuBefore = cpuMicros(target.pid);
	const redisCpuBefore = redisPid === undefined ? undefined : cpuMicros(redisPid);
	const result = await autocannon({
		url: target.url,
		method: 'POST',
		headers: { 'content-type': 'application/json', ...target.headers },
		connections,
		duration: seconds,
		requests: [{ setupRequest: (request) => ({ ...request, body: target.body() }) }],
	});
	const cpuAfter = cpuMicros(target.pid);
	const redisCpuAfter = redisPid === undefined ? undefined : cpuMicros(redisPid);
	return {
		requestsPerSecond: result.requests.average,
		p50: result.latency.p50,
		p99: result.latency.p99,
		failures: result.non2xx + result.errors + result.timeouts,
		cpuMicrosPerRequest: perRequest(cpuBefore, cpuAfter, result.requests.total),
		redisCpuMicrosPerRequest: perRequest(redisCpuBefore, redisCpuAfter, result.requests.total),
	};
}

/** FIXED_RATE requests/s, evenly spaced, for BENCH_DURATION (bench/quota/paced-load.ts). */
async function loadAtFixedRate(target: Target): Promise<Measured> {
	const cpuBefore = cpuMicros(target.pid);
	const { url, headers, body } = target;
	const result = await pacedLoad({ url, headers, body, rate: FIXED_RATE, seconds: durationSeconds });
	return {
		...result,
		cpuMicrosPerRequest: perRequest(cpuBefore, cpuMicros(target.pid), result.total),
		redisCpuMicrosPerRequest: undefined,
	};
}

function spawnFloor(port: number, name: string): ChildProcess {
	const env = { ...process.env, PORT: String(port), REDIS_URL: redisUrl, FLOOR_KEY: `${name}:floor` };
	return spawn(process.execPath, [join('bench', 'quota', 'floor-server.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function main(): Promise<void> {
	const hubFiles = builtHub();
	const { name, url: databaseUrl, drop } = await createThrowawayDatabase();
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
	try {
		await runNode([hubFiles.cli, 'migrate'], env);
		const tenant = JSON.parse(await runNode([hubFiles.cli, 'create-account', '--name', 'bench', '--plan', 'ultra'], env));
		const platformKey: string = JSON.parse(await runNode([hubFiles.cli, 'create-platform-key', '--name', 'bench'], env)).key;
		const accountId = tenant.account.id as string;

		const hubUrl = `http://127.0.0.1:${hubPort}`;
		const floorUrl = `http://127.0.0.1:${floorPort}`;
		// BENCH_HUB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/hub-profile" profiles the hub alone (written at its exit).
		const hubNodeArgs = process.env.BENCH_HUB_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
		const hub = await startProcess([...hubNodeArgs, hubFiles.main], env, `${hubUrl}/api/health`);
		children.push(hub);

		let sequence = 0;
		const consumeBody = () => JSON.stringify({ messageId: `bench.${name}.${(sequence += 1)}`, conversationId: `c${sequence % 1000}`, accountId });
		const floor = spawnFloor(floorPort, name);
		children.push(floor);
		await new Promise((resolve) => floor.stdout!.once('data', resolve));
		// Both get the very same requests (the floor reads the body and ignores the key): the client's work per request
		// and the bytes each server parses are equal, and what differs is what the server does with them.
		const headers = { 'x-api-key': platformKey };
		const targets: Target[] = [
			{
				label: 'floor: express + 1 INCR',
				url: `${floorUrl}/incr`,
				headers,
				body: consumeBody,
				pid: floor.pid!,
				answeredWithin: async () =>
					new Map(Object.entries((await (await fetch(`${floorUrl}/latency`)).json()) as Record<string, number>)),
			},
			{
				label: 'POST /api/quotas/consume',
				url: `${hubUrl}/api/quotas/consume`,
				headers,
				body: consumeBody,
				pid: hub.pid!,
				answeredWithin: () => consumeLatencyBuckets(hubUrl),
			},
		];
		say(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM`);
		say(
			`${rounds} rounds of ${durationSeconds} s per endpoint at full speed (${connections} connections, floor and hub in turn), ` +
				`then ${rounds} rounds of ${durationSeconds} s at ${FIXED_RATE} req/s evenly spaced; hub LOG_LEVEL=warn\n`,
		);
		redisPid = await localRedisPid();
		// Warm-up at full speed, not counted: V8 optimizes the hot functions after thousands of calls, and the hub has more
		// of them than the floor; connection pools and Redis's script cache fill too.
		for (const target of targets) await load(target, { seconds: WARM_UP_SECONDS });
		// The floor and the hub take turns, so a slow patch of this shared machine hits both rather than one.
		const full: Measured[][] = targets.map(() => []);
		for (let round = 0; round < rounds; round += 1) {
			for (const [index, target] of targets.entries()) full[index]!.push(await load(target));
			const [floorRound, hubRound] = [full[0]![round]!, full[1]![round]!];
			say(
				`round ${round + 1}: floor ${floorRound.requestsPerSecond.toFixed(0)} req/s (${cpuShare(floorRound)}), ` +
					`hub ${hubRound.requestsPerSecond.toFixed(0)} req/s (${cpuShare(hubRound)}), ` +
					`${(hubRound.requestsPerSecond / floorRound.requestsPerSecond).toFixed(2)}× the floor`,
			);
		}
		// Then the fixed rate, in turns as well. Each server's own count around its runs gives its side of the latency,
		// without the client's and the scheduler's share (the client shares the two cores with both servers and Redis).
		const fixed: Measured[][] = targets.map(() => []);
		const countedBefore = await Promise.all(targets.map((target) => target.answeredWithin()));
		for (let round = 0; round < rounds; round += 1) {
			for (const [index, target] of targets.entries()) fixed[index]!.push(await loadAtFixedRate(target));
		}
		const serverSide = await Promise.all(
			targets.map(async (target, index) => bucketShares(countedBefore[index]!, await target.answeredWithin())),
		);
		const p99s = (index: number) => fixed[index]!.map((measured) => measured.p99.toFixed(1)).join(', ');
		say(`at ${FIXED_RATE} req/s, p99 ms by round: floor ${p99s(0)}; hub ${p99s(1)}`);

		const ratios = full[1]!.map((hubRound, round) => hubRound.requestsPerSecond / full[0]![round]!.requestsPerSecond);
		// At the fixed rate, "achieved" below 500 means requests were answered later than they were due. CPU is the
		// server process's own (user + system) per request: steadier than throughput when other work shares the cores.
		say('\nmedians of the rounds:');
		say('endpoint                    req/s    p50 ms  p99 ms  × floor   @500/s: achieved  p99 ms  CPU µs/req  failures');
		for (const [index, target] of targets.entries()) {
			const rate = median(full[index]!.map((measured) => measured.requestsPerSecond));
			const p50 = median(full[index]!.map((measured) => measured.p50));
			const p99 = median(full[index]!.map((measured) => measured.p99));
			const ratio = index === 0 ? 1 : median(ratios);
			const failures = [...full[index]!, ...fixed[index]!].reduce((sum, measured) => sum + measured.failures, 0);
			const atFixedRate = (pick: (measured: Measured) => number) => median(fixed[index]!.map(pick));
			say(
				`${target.label.padEnd(26)}${rate.toFixed(0).padStart(7)}${String(p50).padStart(9)}${String(p99).padStart(8)}` +
					`${ratio.toFixed(2).padStart(9)}${atFixedRate((measured) => measured.requestsPerSecond).toFixed(0).padStart(19)}` +
					`${atFixedRate((measured) => measured.p99).toFixed(1).padStart(8)}` +
					`${atFixedRate((measured) => measured.cpuMicrosPerRequest ?? Number.NaN).toFixed(0).padStart(12)}${String(failures).padStart(10)}`,
			);
		}
		// At full speed each server is bound by its one thread: the ratio of their CPU per request in a round predicts
		// its throughput ratio, and moves less when the client or another process takes a share of the cores for a while.
		const cpuRatios = full[1]!.map(
			(hubRound, round) => (full[0]![round]!.cpuMicrosPerRequest ?? Number.NaN) / (hubRound.cpuMicrosPerRequest ?? Number.NaN),
		);
		say(
			`\nat full speed, floor CPU per request ÷ hub CPU per request: ${median(cpuRatios).toFixed(2)} ` +
				`(rounds: ${cpuRatios.map((ratio) => ratio.toFixed(2)).join(', ')}), what a run bound by the servers alone would give`,
		);
		say(`at ${FIXED_RATE} req/s, as each server timed itself: floor ${serverSide[0]}; hub ${serverSide[1]}`);
	} finally {
		for (const child of children) child.kill('SIGTERM');
		await new Promise((resolve) => setTimeout(resolve, 500));
		await drop();
		// A run consumes ~10^5 messages, each leaving an idempotency key (48 h TTL) in the shared Redis. Every key the
		// hub and the floor wrote is under the run's REDIS_NAMESPACE (the hub's quota keys included).
		await deleteKeys(`${name}:*`);
	}
}

/** "server 95 µs, Redis 18 µs CPU/req" for one run (n/a where /proc cannot tell). */
function cpuShare(measured: Measured): string {
	const micros = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(0)} µs`);
	return `server ${micros(measured.cpuMicrosPerRequest)}, Redis ${micros(measured.redisCpuMicrosPerRequest)} CPU/req`;
}

type Buckets = Map<string, number>;

/** Cumulative counts per `le` bucket of the hub's histogram for successful consumes, read from /metrics. */
async function consumeLatencyBuckets(hubUrl: string): Promise<Buckets> {
	const text = await (await fetch(`${hubUrl}/metrics`)).text();
	const line = /^http_request_duration_seconds_bucket\{le="([^"]+)",method="POST",route="\/api\/quotas\/consume",status_code="200"\} (\d+)$/gm;
	return new Map([...text.matchAll(line)].map((match) => [match[1]!, Number(match[2])]));
}

/** "99.3 % under 5 ms, 99.8 % under 10 ms, …" for the requests counted between two readings. */
function bucketShares(before: Buckets, after: Buckets): string {
	const counted = (le: string) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
	const total = counted('+Inf');
	if (total === 0) return 'no requests counted';
	return ['0.005', '0.01', '0.025']
		.map((le) => `${((100 * counted(le)) / total).toFixed(1)} % under ${Number(le) * 1000} ms`)
		.join(', ') + ` (${total} requests)`;
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
