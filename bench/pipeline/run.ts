/**
 * Pipeline benchmark: on ONE real n8n (the pinned runtime, started as `npm start` and the e2e suite start it), the
 * executions/s and time to reply of the published inbound-message pipeline against a trivial Webhook → Set workflow,
 * and the CPU time each execution costs the n8n main process, its task runner(s), the hub and PostgreSQL.
 *
 *   npm run build && npm run bench -- pipeline          (from the repository root)
 *   BENCH_MATRIX=vm/none BENCH_DURATION=30 BENCH_CONNECTIONS=16 npm run bench -- pipeline
 *
 * One run: a throwaway hub database (migrated, a platform key, an Ultra tenant whose Instagram account the DMs are
 * addressed to), the built hub as a child process, the fake Graph API and the fake OpenAI in this process, and one n8n
 * user folder and database. For each combination of BENCH_MATRIX (expression engine `vm` or `legacy`, successful
 * executions saved `all` or `none`) n8n is started afresh with N8N_EXPRESSION_ENGINE and
 * EXECUTIONS_DATA_SAVE_ON_SUCCESS, both workflows are (re)published with that saving setting, and after a warm-up of
 * each, BENCH_ROUNDS rounds alternate the trivial workflow and the pipeline, each closed-loop for BENCH_DURATION s:
 * BENCH_CONNECTIONS clients, each sending its next request when its previous one completed. A trivial execution
 * completes when its webhook answers (responseMode lastNode); a DM (signed like Meta, a new sender and message id each
 * time, so no dedupe, anti-flood or quota rule skips it) completes when its reply reaches the fake Graph API, and its
 * time to reply runs from sending the webhook to that moment. CPU is read from /proc/<pid>/stat (utime + stime) before,
 * every second during, and after each measurement. Everything listens on loopback except the hub, which has no
 * listen-address setting (it takes a random free port for the run). Reports numbers; passes or fails nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

import { findFreePort, httpStatus, waitFor } from '../../scripts/lib/net.ts';
import { startChild, type ManagedChild } from '../../scripts/lib/processes.ts';
import { pipelineCredentials } from '../../scripts/lib/start-config.ts';
import {
	bootstrapN8n,
	generateOwnerPassword,
	isN8nRuntimeInstalled,
	n8nRuntimeDir,
	placeNodePackage,
	readWorkflowFile,
	startN8n,
	type N8nInstance,
	type WorkflowJson,
} from '../../scripts/n8n-runtime/index.ts';
import { startFakeMetaGraph } from '../../test/fakes/meta-graph.ts';
import { graphId, instagramMessage, signedDelivery } from '../../test/fakes/meta-webhook.ts';
import { startFakeOpenAi } from '../../test/fakes/openai.ts';
import { baseUrl, builtHub, cpuMicros, createThrowawayDatabase, deleteKeys, redisUrl, root, runNode, say, withClient } from '../support.ts';

const durationSeconds = Number(process.env.BENCH_DURATION ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const warmUpSeconds = Number(process.env.BENCH_WARMUP ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const COMBINATIONS = ['vm/none', 'vm/all', 'legacy/none', 'legacy/all'] as const;
type Combination = (typeof COMBINATIONS)[number];
const matrix = (process.env.BENCH_MATRIX ?? COMBINATIONS.join(','))
	.split(',')
	.map((entry) => entry.trim())
	.filter(Boolean) as Combination[];
/** A request not completed by then counts as failed; its client goes on with the next one. */
const COMPLETION_TIMEOUT_MS = 30_000;
const N8N_READY_TIMEOUT_MS = 180_000;

const META_APP_SECRET = `bench-${randomBytes(8).toString('hex')}`;
const META_VERIFY_TOKEN = 'bench-verify-token';
const PIPELINE_DIR = join(root, 'workflows', 'inbound-message-pipeline');
/** The pipeline (a sub-workflow since v3) and the Meta entry whose webhook the bench posts to. */
const PIPELINE_FILES = ['inbound-message-pipeline.workflow.json', 'meta-entry.workflow.json'];
const PIPELINE_PATH = 'skybot-meta';
const TRIVIAL_PATH = 'bench-trivial';

/**
 * Whose CPU time is read: n8n's main process, its task runner(s), the hub, the PostgreSQL backends of the hub's
 * database and of n8n's, and this process (clients and fakes).
 */
const COMPONENTS = ['n8n', 'runner', 'hub', 'pgHub', 'pgN8n', 'client'] as const;
type Component = (typeof COMPONENTS)[number];
const COMPONENT_LABELS: Record<Component, string> = {
	n8n: 'n8n main',
	runner: 'task runner',
	hub: 'hub',
	pgHub: 'PostgreSQL: hub db',
	pgN8n: 'PostgreSQL: n8n db',
	client: 'bench client + fakes',
};

interface Measured {
	completed: number;
	failed: number;
	firstError?: string;
	elapsedMs: number;
	/** Response time (trivial) or time to reply (pipeline) of each completed execution, in ms. */
	latencies: number[];
	/** CPU time in µs over the measurement; undefined where /proc could not tell. */
	cpu: Record<Component, number | undefined>;
	/** How many processes each component had (task runners and PostgreSQL backends come and go). */
	processes: Record<Component, number>;
}

interface Workload {
	label: 'trivial' | 'pipeline';
	/** Sends one request and resolves its time to completion in ms; rejects when it fails or times out. */
	send(): Promise<number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
	return sorted[index] ?? Number.NaN;
}

/** Every process whose parent chain leads to `rootPid` (not `rootPid` itself), from /proc. */
function descendantsOf(rootPid: number): number[] {
	const childrenOf = new Map<number, number[]>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), Number(entry)]);
		} catch {
			// gone meanwhile
		}
	}
	const found: number[] = [];
	const queue = [rootPid];
	while (queue.length > 0) {
		for (const child of childrenOf.get(queue.shift()!) ?? []) {
			found.push(child);
			queue.push(child);
		}
	}
	return found;
}

/**
 * CPU time of a changing set of processes over a measurement: each process's first and last reading. A process that
 * appears after the first sample did all its work inside the measurement (it counts from 0); one that ends between
 * two samples loses what it did since the last one (samples are a second apart).
 */
class CpuTracker {
	private readings = new Map<number, { first: number; last: number }>();
	private sampledOnce = false;

	private readonly list: () => Promise<number[]>;
	/** True for sets that may be empty (no backend connected, no runner started): nothing found is then 0 µs. */
	private readonly mayBeEmpty: boolean;

	constructor(list: () => Promise<number[]>, { mayBeEmpty = false } = {}) {
		this.list = list;
		this.mayBeEmpty = mayBeEmpty;
	}

	async sample(): Promise<void> {
		for (const pid of await this.list()) {
			const now = cpuMicros(pid);
			if (now === undefined) continue;
			const reading = this.readings.get(pid);
			if (reading) reading.last = now;
			else this.readings.set(pid, { first: this.sampledOnce ? 0 : now, last: now });
		}
		this.sampledOnce = true;
	}

	total(): number | undefined {
		if (this.readings.size === 0) return this.mayBeEmpty ? 0 : undefined;
		let sum = 0;
		for (const { first, last } of this.readings.values()) sum += last - first;
		return sum;
	}

	get processCount(): number {
		return this.readings.size;
	}
}

/** The stack one combination runs on: what the CPU trackers read. */
interface Pids {
	n8nMain: number;
	hub: number;
	/** The bench's two databases, whose backends are PostgreSQL's share. */
	hubDatabase: string;
	n8nDatabase: string;
	/** A connection to the `postgres` database, to list those backends. */
	monitor: pg.Client;
}

async function backendsOf(monitor: pg.Client, database: string): Promise<number[]> {
	const { rows } = await monitor.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
	return rows.map((row) => row.pid);
}

/** BENCH_CONNECTIONS clients, each sending its next request when its previous one completed, for `seconds`. */
async function closedLoop(workload: Workload, seconds: number, pids: Pids): Promise<Measured> {
	const trackers: Record<Component, CpuTracker> = {
		n8n: new CpuTracker(async () => [pids.n8nMain]),
		runner: new CpuTracker(async () => descendantsOf(pids.n8nMain), { mayBeEmpty: true }),
		hub: new CpuTracker(async () => [pids.hub]),
		// The pools close idle connections: a round may open new backends (counted from 0) or have none.
		pgHub: new CpuTracker(() => backendsOf(pids.monitor, pids.hubDatabase), { mayBeEmpty: true }),
		pgN8n: new CpuTracker(() => backendsOf(pids.monitor, pids.n8nDatabase), { mayBeEmpty: true }),
		client: new CpuTracker(async () => [process.pid]),
	};
	const sampleAll = () => Promise.all(COMPONENTS.map((component) => trackers[component].sample()));
	await sampleAll();
	let sampling = true;
	const sampler = (async () => {
		while (sampling) {
			await sleep(1000);
			if (sampling) await sampleAll();
		}
	})();

	const latencies: number[] = [];
	let failed = 0;
	let firstError: string | undefined;
	const started = performance.now();
	const deadline = started + seconds * 1000;
	const client = async () => {
		while (performance.now() < deadline && !aborting) {
			try {
				latencies.push(await workload.send());
			} catch (error) {
				failed += 1;
				firstError ??= error instanceof Error ? error.message : String(error);
			}
		}
	};
	await Promise.all(Array.from({ length: connections }, client));
	const elapsedMs = performance.now() - started;
	sampling = false;
	await sampler;
	await sampleAll();
	const cpu = {} as Measured['cpu'];
	const processes = {} as Measured['processes'];
	for (const component of COMPONENTS) {
		cpu[component] = trackers[component].total();
		processes[component] = trackers[component].processCount;
	}
	return { completed: latencies.length, failed, firstError, elapsedMs, latencies, cpu, processes };
}

/** Rounds of one workload added up: executions over the time they took, latencies pooled, CPU summed. */
function combine(measurements: Measured[]): Measured {
	const sum = (pick: (measured: Measured) => number) => measurements.reduce((total, measured) => total + pick(measured), 0);
	const cpu = {} as Measured['cpu'];
	const processes = {} as Measured['processes'];
	for (const component of COMPONENTS) {
		const values = measurements.map((measured) => measured.cpu[component]);
		cpu[component] = values.includes(undefined) ? undefined : values.reduce((a, b) => a! + b!, 0);
		processes[component] = Math.max(...measurements.map((measured) => measured.processes[component]));
	}
	return {
		completed: sum((measured) => measured.completed),
		failed: sum((measured) => measured.failed),
		firstError: measurements.find((measured) => measured.firstError)?.firstError,
		elapsedMs: sum((measured) => measured.elapsedMs),
		latencies: measurements.flatMap((measured) => measured.latencies),
		cpu,
		processes,
	};
}

interface Summary {
	perSecond: number;
	p50: number;
	p95: number;
	/** CPU ms per completed execution, by component. */
	cpuMs: Record<Component, number | undefined>;
}

function summarize(measured: Measured): Summary {
	const sorted = [...measured.latencies].sort((a, b) => a - b);
	const cpuMs = {} as Summary['cpuMs'];
	for (const component of COMPONENTS) {
		const micros = measured.cpu[component];
		cpuMs[component] = micros === undefined || measured.completed === 0 ? undefined : micros / measured.completed / 1000;
	}
	return {
		perSecond: measured.completed / (measured.elapsedMs / 1000),
		p50: percentile(sorted, 0.5),
		p95: percentile(sorted, 0.95),
		cpuMs,
	};
}

const fixed = (value: number | undefined, digits = 1) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));

function describe(label: string, measured: Measured): string {
	const summary = summarize(measured);
	const cpu = COMPONENTS.map((component) => `${component} ${fixed(summary.cpuMs[component])}`).join(', ');
	return (
		`${label} ${summary.perSecond.toFixed(1)} exec/s, p50 ${summary.p50.toFixed(0)} ms, p95 ${summary.p95.toFixed(0)} ms ` +
		`(${measured.completed} done, ${measured.failed} failed${measured.firstError ? `: ${measured.firstError}` : ''}); ` +
		`CPU ms/exec: ${cpu}`
	);
}

/** The trivial workflow: a Webhook answering with the output of a Set that writes one expression of the request. */
function trivialWorkflow(saving: string): WorkflowJson {
	return {
		name: 'SkyBot bench — trivial Webhook → Set',
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: TRIVIAL_PATH, responseMode: 'lastNode', options: {} },
			},
			{
				name: 'Set',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, 0],
				parameters: {
					mode: 'manual',
					assignments: { assignments: [{ id: randomUUID(), name: 'echo', value: '={{ $json.body.n }}', type: 'number' }] },
					options: {},
				},
			},
		],
		connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', saveDataSuccessExecution: saving, saveDataErrorExecution: 'all' },
	};
}

/**
 * Writes the workflows for one saving setting into `dir` (what bootstrapN8n publishes). The pipeline files pin
 * `saveDataSuccessExecution: none`, which overrides EXECUTIONS_DATA_SAVE_ON_SUCCESS; the copies carry the
 * combination's value instead, so "all" saves the pipeline's executions too.
 */
function writeWorkflows(dir: string, saving: string): void {
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	for (const file of PIPELINE_FILES) {
		const workflow = readWorkflowFile(join(PIPELINE_DIR, file));
		workflow.settings = { ...workflow.settings, saveDataSuccessExecution: saving };
		writeFileSync(join(dir, file), JSON.stringify(workflow));
	}
	writeFileSync(join(dir, 'bench-trivial.workflow.json'), JSON.stringify(trivialWorkflow(saving)));
}

/** Things to undo, most recent first; run once, on success, failure, Ctrl-C or the overall timeout. */
const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
let aborting = false;
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
	cleaning ??= (async () => {
		for (const { what, run } of [...cleanups].reverse()) {
			await run().catch((error: unknown) => say(`could not ${what}: ${error instanceof Error ? error.message : String(error)}`));
		}
	})();
	return cleaning;
}

function stopOn(signal: NodeJS.Signals, code: number): void {
	process.on(signal, () => {
		if (aborting) return;
		aborting = true;
		say(`\n${signal}: stopping n8n and the hub, dropping the databases…`);
		void cleanUp().then(() => process.exit(code));
	});
}

interface CombinationResult {
	combination: Combination;
	trivial: Measured;
	pipeline: Measured;
	roundRatios: number[];
}

async function main(): Promise<void> {
	for (const entry of matrix) {
		if (!(COMBINATIONS as readonly string[]).includes(entry)) {
			throw new Error(`BENCH_MATRIX: unknown combination "${entry}"; use a comma-separated subset of ${COMBINATIONS.join(',')}`);
		}
	}
	if (matrix.length === 0) throw new Error(`BENCH_MATRIX is empty; use a subset of ${COMBINATIONS.join(',')}`);
	const hubFiles = builtHub();
	const runtimeDir = n8nRuntimeDir({ repoRoot: root });
	if (!isN8nRuntimeInstalled(runtimeDir)) throw new Error(`The pinned n8n is not installed in ${runtimeDir}: npm run n8n:install`);

	stopOn('SIGINT', 130);
	stopOn('SIGTERM', 143);
	// Bounded: n8n's starts, the warm-ups, the rounds and their last requests, with room for a slow machine.
	const boundMs =
		60_000 + matrix.length * (N8N_READY_TIMEOUT_MS + 60_000 + (rounds + 1) * 2 * ((durationSeconds + warmUpSeconds) * 1000 + COMPLETION_TIMEOUT_MS));
	setTimeout(() => {
		aborting = true;
		say(`\nstill running after ${Math.round(boundMs / 1000)} s: giving up`);
		void cleanUp().then(() => process.exit(1));
	}, boundMs).unref();

	say(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
	say(
		`matrix ${matrix.join(', ')}: per combination a fresh n8n, ${warmUpSeconds} s warm-up of each workload, then ${rounds} round(s) ` +
			`of ${durationSeconds} s each, trivial and pipeline in turn, ${connections} closed-loop clients\n`,
	);

	const database = await createThrowawayDatabase();
	cleanups.push({ what: 'drop the hub database', run: () => database.drop() });
	cleanups.push({ what: "delete the run's Redis keys", run: () => deleteKeys(`${database.name}:*`) });
	const n8nDatabaseName = `${database.name}_n8n`;
	const n8nDatabaseUrl = Object.assign(new URL(baseUrl), { pathname: `/${n8nDatabaseName}` }).toString();
	cleanups.push({
		what: 'drop the n8n database',
		run: () => withClient(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${n8nDatabaseName} WITH (FORCE)`)),
	});

	const hubPort = await findFreePort();
	const webhookSecret = randomBytes(32).toString('base64url');
	const hubEnv: NodeJS.ProcessEnv = {
		...process.env,
		DATABASE_URL: database.url,
		REDIS_URL: redisUrl,
		REDIS_NAMESPACE: database.name,
		PORT: String(hubPort),
		LOG_LEVEL: 'warn',
		JWT_SECRET: randomBytes(32).toString('base64url'),
		SKYBOT_WEBHOOK_SECRET: webhookSecret,
		// Every DM is answered on its own, at once: the burst window (8 s by default) adds waiting, not work, and would
		// bound a closed loop of 8 clients to 1 DM/s; the answer cache would answer most DMs without the model. The
		// benchmark measures the pipeline's work per answered DM, model call included.
		PIPELINE_BURST_WINDOW_SECONDS: '0',
		AI_ANSWER_CACHE_TTL: '0',
		// The Ultra tenant's 120 model requests a minute would make the limiter, not n8n, the bottleneck above 2 DMs/s.
		AI_REQUESTS_PER_MINUTE: 'ultra=1000000',
	};
	say('hub: migrating its throwaway database, seeding an Ultra tenant with an Instagram account…');
	await runNode([hubFiles.cli, 'migrate'], hubEnv);
	const platformKey: string = JSON.parse(await runNode([hubFiles.cli, 'create-platform-key', '--name', 'bench pipeline'], hubEnv)).key;
	const instagramAccountId = graphId();
	await runNode([hubFiles.cli, 'create-account', '--name', 'bench', '--plan', 'ultra', '--external-account', `instagram:${instagramAccountId}`], hubEnv);
	const hub: ManagedChild = startChild({
		name: 'hub',
		command: process.execPath,
		args: [hubFiles.main],
		cwd: root,
		env: hubEnv,
		onLine: (line) => {
			if (process.env.BENCH_HUB_LOG) say(line);
		},
	});
	cleanups.push({ what: 'stop the hub', run: () => hub.stop() });
	let hubExit: string | undefined;
	void hub.exited.then(({ code, signal }) => (hubExit = signal ?? `exit code ${code}`));
	const hubUrl = `http://127.0.0.1:${hubPort}`;
	await waitFor(async () => ((await httpStatus(`${hubUrl}/api/ready`)) === 200 ? true : undefined), {
		description: 'the hub to answer /api/ready',
		timeoutMs: 60_000,
		abortReason: () => (hubExit ? `the hub exited (${hubExit}): ${hub.recentOutput().slice(-10).join('\n')}` : undefined),
	});

	// A DM completes when its reply reaches the fake Graph API: the reply goes to the DM's sender, new for every DM.
	const awaitingReply = new Map<string, (at: number) => void>();
	const graph = await startFakeMetaGraph({
		onSent: (message) => awaitingReply.get(message.recipient)?.(performance.now()),
	});
	cleanups.push({ what: 'stop the fake Graph API', run: () => graph.close() });
	const openAi = await startFakeOpenAi();
	cleanups.push({ what: 'stop the fake OpenAI', run: () => openAi.close() });

	const userFolder = mkdtempSync(join(tmpdir(), 'skybot-bench-pipeline-'));
	cleanups.push({ what: 'remove the n8n user folder', run: async () => rmSync(userFolder, { recursive: true, force: true }) });
	await placeNodePackage(userFolder, { repoRoot: root });
	const workflowsDir = join(userFolder, 'bench-workflows');
	const owner = { email: 'owner@bench.skybot.test', password: generateOwnerPassword() };
	// The credentials `npm start` publishes, pointed at the hub and the fakes through the variables it reads.
	const { specs: credentials } = pipelineCredentials({
		hubUrl,
		platformApiKey: platformKey,
		webhookSecret,
		generated: { metaVerifyToken: META_VERIFY_TOKEN },
		env: {
			META_APP_SECRET,
			META_ACCESS_TOKEN: graph.accessToken,
			META_GRAPH_URL: graph.url,
			OPENAI_API_KEY: openAi.apiKey,
			OPENAI_BASE_URL: openAi.baseUrl,
		},
	});
	const monitor = new pg.Client({ connectionString: baseUrl });
	await monitor.connect();
	cleanups.push({ what: 'close the monitoring connection', run: () => monitor.end() });

	const results: CombinationResult[] = [];
	let n8n: N8nInstance | undefined;
	cleanups.push({ what: 'stop n8n', run: async () => n8n?.stop() });
	for (const combination of matrix) {
		if (aborting) break;
		const [engine, saving] = combination.split('/') as ['vm' | 'legacy', 'all' | 'none'];
		const tag = `[${combination}]`;
		if (n8n) {
			await n8n.stop();
			// Each combination starts from an empty execution history, whatever the previous one saved.
			await withClient(n8nDatabaseUrl, (client) => client.query('TRUNCATE execution_entity CASCADE'));
		}
		writeWorkflows(workflowsDir, saving);
		say(`${tag} starting n8n (N8N_EXPRESSION_ENGINE=${engine}, EXECUTIONS_DATA_SAVE_ON_SUCCESS=${saving})…`);
		const startedAt = performance.now();
		n8n = await startN8n({
			userFolder,
			database: n8nDatabaseUrl,
			owner,
			runtimeDir,
			readyTimeoutMs: N8N_READY_TIMEOUT_MS,
			env: { N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_EXPRESSION_ENGINE: engine, EXECUTIONS_DATA_SAVE_ON_SUCCESS: saving },
			onLine: (line) => {
				if (process.env.BENCH_N8N_LOG) say(line);
			},
		});
		await bootstrapN8n({ url: n8n.url, userFolder, owner, credentials, workflowsDir });
		const pipelineUrl = `${n8n.url}/webhook/${PIPELINE_PATH}`;
		const trivialUrl = `${n8n.url}/webhook/${TRIVIAL_PATH}`;
		let sequence = 0;
		const trivial: Workload = {
			label: 'trivial',
			send: async () => {
				const started = performance.now();
				const response = await fetch(trivialUrl, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ n: (sequence += 1) }),
					signal: AbortSignal.timeout(COMPLETION_TIMEOUT_MS),
				});
				const answer = await response.text();
				if (response.status !== 200) throw new Error(`the trivial webhook answered ${response.status}: ${answer.slice(0, 200)}`);
				return performance.now() - started;
			},
		};
		const pipeline: Workload = {
			label: 'pipeline',
			send: async () => {
				const senderId = graphId();
				const payload = instagramMessage({ accountId: instagramAccountId, senderId, text: `Bonjour, vous livrez à Lyon ? (${(sequence += 1)})` });
				const { body, headers } = signedDelivery(payload, META_APP_SECRET);
				let timer: NodeJS.Timeout | undefined;
				const replied = new Promise<number>((resolve, reject) => {
					awaitingReply.set(senderId, resolve);
					timer = setTimeout(() => reject(new Error(`no reply within ${COMPLETION_TIMEOUT_MS / 1000} s`)), COMPLETION_TIMEOUT_MS);
				});
				replied.catch(() => {}); // awaited below; this only keeps a timeout during the POST from counting as unhandled
				const started = performance.now();
				try {
					const response = await fetch(pipelineUrl, { method: 'POST', body, headers, signal: AbortSignal.timeout(COMPLETION_TIMEOUT_MS) });
					await response.arrayBuffer();
					if (response.status !== 200) throw new Error(`the pipeline webhook answered ${response.status}`);
					return (await replied) - started;
				} finally {
					clearTimeout(timer);
					awaitingReply.delete(senderId);
				}
			},
		};
		// Publishing returns before n8n has registered the webhooks; until then their paths answer 404.
		await waitFor(
			async () => {
				const handshake = await httpStatus(`${pipelineUrl}?hub.mode=subscribe&hub.verify_token=${META_VERIFY_TOKEN}&hub.challenge=1`);
				return handshake === 200 && (await trivial.send().then(() => true, () => false)) ? true : undefined;
			},
			{ description: 'both webhooks to be registered', timeoutMs: 60_000 },
		);
		say(`${tag} n8n ready and both workflows published in ${((performance.now() - startedAt) / 1000).toFixed(0)} s (main pid ${n8n.processes[0]!.pid})`);
		const pids: Pids = { n8nMain: n8n.processes[0]!.pid, hub: hub.pid, hubDatabase: database.name, n8nDatabase: n8nDatabaseName, monitor };
		const forget = () => {
			// The fakes record every request; a run makes tens of thousands.
			for (const list of [graph.sent, graph.requests, openAi.completions, openAi.requests]) list.length = 0;
		};

		const outcomesBefore = await interactionOutcomes(database.url);
		for (const workload of [trivial, pipeline]) {
			const warmUp = await closedLoop(workload, warmUpSeconds, pids);
			say(`${tag} warm-up ${describe(workload.label, warmUp)}`);
			if (warmUp.completed === 0) throw new Error(`${tag} no ${workload.label} execution completed during the warm-up: ${warmUp.firstError}`);
			forget();
		}
		const measured: Record<Workload['label'], Measured[]> = { trivial: [], pipeline: [] };
		const roundRatios: number[] = [];
		for (let round = 1; round <= rounds && !aborting; round += 1) {
			for (const workload of [trivial, pipeline]) {
				if (aborting) break;
				const result = await closedLoop(workload, durationSeconds, pids);
				measured[workload.label].push(result);
				say(`${tag} round ${round}: ${describe(workload.label, result)}`);
				forget();
			}
			if (aborting) break;
			const ratio = summarize(measured.pipeline.at(-1)!).perSecond / summarize(measured.trivial.at(-1)!).perSecond;
			roundRatios.push(ratio);
			say(`${tag} round ${round}: pipeline ÷ trivial = ${ratio.toFixed(2)}`);
		}
		if (aborting) break;
		const outcomes = diffOutcomes(outcomesBefore, await interactionOutcomes(database.url));
		say(`${tag} pipeline outcomes recorded by the hub (warm-up included): ${outcomes || 'none'}`);
		// What the saving setting did: with `none` n8n soft-deletes each successful execution (its row stays, marked
		// deleted and still `running`, until n8n's pruning removes it), with `all` it keeps it and its data.
		const saved = await withClient(n8nDatabaseUrl, (client) =>
			client.query<{ status: string; count: string }>(
				`SELECT CASE WHEN "deletedAt" IS NULL THEN status ELSE 'soft-deleted' END AS status, count(*) AS count
				FROM execution_entity GROUP BY 1 ORDER BY 1`,
			),
		);
		say(`${tag} executions n8n kept: ${saved.rows.map((row) => `${row.status} ${row.count}`).join(', ') || 'none'}`);
		const result = { combination, trivial: combine(measured.trivial), pipeline: combine(measured.pipeline), roundRatios };
		results.push(result);
		const [trivialSummary, pipelineSummary] = [summarize(result.trivial), summarize(result.pipeline)];
		say(
			`${tag} ${rounds} round(s): trivial ${trivialSummary.perSecond.toFixed(1)}/s, pipeline ${pipelineSummary.perSecond.toFixed(1)}/s, ` +
				`ratio ${(pipelineSummary.perSecond / trivialSummary.perSecond).toFixed(2)}; task runner processes seen: ${result.pipeline.processes.runner}, ` +
				`PostgreSQL backends seen: hub db ${result.pipeline.processes.pgHub}, n8n db ${result.pipeline.processes.pgN8n}\n`,
		);
	}
	printSummary(results);
}

/** Interactions the hub recorded, by status and reason ("replied 120, skipped/duplicate 2"). */
async function interactionOutcomes(databaseUrl: string): Promise<Map<string, number>> {
	const { rows } = await withClient(databaseUrl, (client) =>
		client.query<{ outcome: string; count: string }>(
			"SELECT status || coalesce('/' || reason, '') AS outcome, count(*) AS count FROM interactions GROUP BY 1 ORDER BY 1",
		),
	);
	return new Map(rows.map((row) => [row.outcome, Number(row.count)]));
}

function diffOutcomes(before: Map<string, number>, after: Map<string, number>): string {
	return [...after]
		.map(([outcome, count]) => [outcome, count - (before.get(outcome) ?? 0)] as const)
		.filter(([, count]) => count > 0)
		.map(([outcome, count]) => `${outcome} ${count}`)
		.join(', ');
}

/**
 * n8n main's CPU per trivial execution over its CPU per pipeline execution: the ratio a run bound by n8n's main
 * thread alone would give, steadier than the throughput ratio when other work takes a share of the two cores.
 */
function mainCpuRatio(result: CombinationResult): number | undefined {
	const [trivial, pipeline] = [summarize(result.trivial).cpuMs.n8n, summarize(result.pipeline).cpuMs.n8n];
	return trivial === undefined || pipeline === undefined ? undefined : trivial / pipeline;
}

function printSummary(results: CombinationResult[]): void {
	if (results.length === 0) return;
	say(`summary (${rounds} round(s) of ${durationSeconds} s per workload and combination, ${connections} clients; CPU in ms per execution):`);
	const header = [
		'engine/saving',
		'workload',
		'exec/s',
		'p50 ms',
		'p95 ms',
		'failed',
		...COMPONENTS.map((component) => COMPONENT_LABELS[component]),
		'pipeline ÷ trivial (rounds)',
		'n8n main CPU: trivial ÷ pipeline',
	];
	const rows: string[][] = [];
	for (const result of results) {
		const ratio = summarize(result.pipeline).perSecond / summarize(result.trivial).perSecond;
		for (const [label, measured] of [
			['trivial', result.trivial],
			['pipeline', result.pipeline],
		] as const) {
			const summary = summarize(measured);
			rows.push([
				result.combination,
				label,
				summary.perSecond.toFixed(1),
				summary.p50.toFixed(0),
				summary.p95.toFixed(0),
				String(measured.failed),
				...COMPONENTS.map((component) => fixed(summary.cpuMs[component])),
				label === 'pipeline' ? `${ratio.toFixed(2)} (${result.roundRatios.map((value) => value.toFixed(2)).join(', ')})` : '',
				label === 'pipeline' ? fixed(mainCpuRatio(result), 2) : '',
			]);
		}
	}
	// A Markdown table, to paste into the journal as it is.
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
	const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
	say(line(header));
	say(line(widths.map((width) => '-'.repeat(width))));
	for (const row of rows) say(line(row));
	const target = results.find((result) => result.combination === 'vm/none');
	if (target) {
		const ratio = summarize(target.pipeline).perSecond / summarize(target.trivial).perSecond;
		say(
			`\ntarget (issue 11): pipeline ≥ 0.5× the trivial workflow with the vm engine; vm/none gives ${ratio.toFixed(2)} ` +
				`(n8n main's CPU per execution, trivial ÷ pipeline: ${fixed(mainCpuRatio(target), 2)})`,
		);
	}
}

main()
	.catch((error: unknown) => {
		process.exitCode = 1;
		// Once interrupted, what fails is what the clean-up already took away (n8n, the monitoring connection).
		if (!aborting) process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	})
	.finally(async () => {
		await cleanUp();
		// Keep-alive sockets and the like would hold the process; every child is stopped by now.
		process.exit();
	});
