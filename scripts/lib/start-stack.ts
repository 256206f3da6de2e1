// The body of `npm start` (scripts/start.ts loads it): build, PostgreSQL, Redis, hub migrations, n8n with the node
// package and the published pipeline, the hub — then wait for Ctrl-C and stop everything.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import pg from 'pg';

import { bootstrapN8n } from '../n8n-runtime/bootstrap.ts';
import { placeNodePackage } from '../n8n-runtime/node-package.ts';
import { generateOwnerPassword } from '../n8n-runtime/owner.ts';
import type { N8nOwner } from '../n8n-runtime/owner.ts';
import { installN8nRuntime } from '../n8n-runtime/runtime.ts';
import { startN8n } from '../n8n-runtime/server.ts';
import { findFreePort, httpStatus, isPortFree, pingRedis, waitFor } from './net.ts';
import { findRepoRoot } from './paths.ts';
import { checkPostgres, ensureDatabase, formatPostgresUrl, parsePostgresUrl, startEmbeddedPostgres } from './postgres.ts';
import type { PostgresTarget } from './postgres.ts';
import { runToCompletion, startChild } from './processes.ts';
import type { ManagedChild } from './processes.ts';
import { StartConfigError, generateSecrets, pipelineCredentials, redactUrl, resolveStartConfig } from './start-config.ts';
import type { GeneratedSecrets, StartConfig } from './start-config.ts';
import { readStateFile, updateStateFile } from './state-file.ts';

/** .skybot/state.json: everything `npm start` generates once and reuses (mode 0600). */
interface StartState {
	postgresPassword: string;
	n8nOwner: N8nOwner;
	/** The hub platform key the pipeline uses, and the database it was created in. */
	platformKey: { id: string; key: string; database: string };
	generated: GeneratedSecrets;
	/** Hub secrets generated once (JWT_SECRET, SKYBOT_WEBHOOK_SECRET, ENCRYPTION_KEY); the environment overrides them. */
	hubSecrets: Record<string, string>;
}

/** A failure whose message is already the one line to show the user. */
class StartError extends Error {}

const say = (line: string) => process.stdout.write(`[start] ${line}\n`);

/** Things to stop on the way out, most recent first. */
const running: { name: string; stop: () => Promise<unknown> }[] = [];
let shuttingDown = false;

async function shutDown(exitCode: number): Promise<never> {
	if (!shuttingDown) {
		shuttingDown = true;
		for (const entry of [...running].reverse()) {
			say(`stopping ${entry.name}…`);
			await entry.stop().catch((error: unknown) => say(`could not stop ${entry.name}: ${(error as Error).message}`));
		}
	}
	process.exit(exitCode);
}

/** Registers a long-running child: stopped on the way out, and its unexpected exit stops everything. */
function supervise(child: ManagedChild, stop: () => Promise<unknown> = () => child.stop()): void {
	running.push({ name: child.name, stop });
	void child.exited.then(({ code, signal }) => {
		if (shuttingDown) return;
		say(`${child.name} exited unexpectedly (${signal ?? `exit code ${code}`}) — stopping everything`);
		void shutDown(1);
	});
}

/** Runs a build/migration command with prefixed output; throws a StartError with its last lines on failure. */
async function runStep(name: string, command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<void> {
	const child = startChild({ name, command, args, cwd, env });
	const entry = { name, stop: () => child.stop() };
	running.push(entry);
	const { code, signal } = await child.exited;
	running.splice(running.indexOf(entry), 1);
	if (code !== 0) throw new StartError(`${name} failed (${signal ?? `exit code ${code}`}); see the [${name}] lines above`);
}

async function ensurePortsFree(config: StartConfig): Promise<void> {
	for (const [setting, port, what] of [
		['PORT', config.hubPort, 'the hub'],
		['N8N_PORT', config.n8nPort, 'n8n'],
	] as const) {
		if (!(await isPortFree(port))) {
			throw new StartError(`Port ${port} (for ${what}) is already in use — stop what uses it or set ${setting} to another port`);
		}
	}
}

async function ensureRedis(redisUrl: string): Promise<void> {
	try {
		await pingRedis(redisUrl);
	} catch {
		throw new StartError(
			`Redis is not reachable at ${redactUrl(redisUrl)} — start one with \`redis-server\` (or \`docker run -p 6379:6379 redis:7\`) or set REDIS_URL`,
		);
	}
}

/** The hub's PostgreSQL: DATABASE_URL when set (must answer), else the embedded cluster under .skybot/postgres. */
async function ensurePostgres(
	config: StartConfig,
	repoRoot: string,
	stateFile: string,
): Promise<{ hub: PostgresTarget; n8n: PostgresTarget }> {
	if (config.databaseUrl) {
		const hub = parsePostgresUrl(config.databaseUrl);
		try {
			await checkPostgres({ ...hub, database: 'postgres' }).catch(() => checkPostgres(hub));
		} catch (error) {
			throw new StartError(
				`PostgreSQL is not reachable at ${redactUrl(config.databaseUrl)} (${(error as Error).message}) — start it, fix DATABASE_URL, or unset DATABASE_URL to use the embedded PostgreSQL`,
			);
		}
		await ensureDatabase(hub);
		return { hub, n8n: { ...hub, database: `${hub.database}_n8n` } };
	}
	const state = readStateFile<StartState>(stateFile);
	const password = state.postgresPassword ?? randomBytes(18).toString('base64url');
	if (!state.postgresPassword) updateStateFile<StartState>(stateFile, { postgresPassword: password });
	const port = (await isPortFree(5433)) ? 5433 : await findFreePort();
	say(`starting the embedded PostgreSQL (.skybot/postgres) on port ${port}…`);
	const postgres = await startEmbeddedPostgres({
		repoRoot,
		dataDir: join(repoRoot, '.skybot', 'postgres', 'data'),
		port,
		password,
		onLine: (line) => {
			// PostgreSQL is chatty about checkpoints; keep warnings and errors.
			if (/ (WARNING|ERROR|FATAL|PANIC): /.test(line)) process.stdout.write(`${line}\n`);
		},
	});
	supervise(postgres.child, () => postgres.stop());
	const hub = { ...postgres.target, database: 'skybot' };
	await ensureDatabase(hub);
	return { hub, n8n: { ...postgres.target, database: 'skybot_n8n' } };
}

/** The hub CLI (`node hub-api/dist/hub-api/src/cli.js …`), its stdout returned. */
function hubCli(repoRoot: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
	return runToCompletion(process.execPath, [join(repoRoot, 'hub-api', 'dist', 'hub-api', 'src', 'cli.js'), ...args], {
		cwd: repoRoot,
		env,
		quiet: true,
	});
}

/** The platform key the pipeline calls the hub with: created once per hub database, then reused. */
async function ensurePlatformKey(repoRoot: string, stateFile: string, hub: PostgresTarget, embedded: boolean, env: NodeJS.ProcessEnv): Promise<string> {
	// The key lives in the hub database: a different database (another DATABASE_URL) needs its own key. The embedded
	// cluster is the same database whatever port it got this time.
	const database = embedded ? 'embedded:.skybot/postgres/skybot' : `${hub.host}:${hub.port}/${hub.database}`;
	const stored = readStateFile<StartState>(stateFile).platformKey;
	if (stored && stored.database === database) return stored.key;
	const output = await hubCli(repoRoot, ['create-platform-key', '--name', 'n8n pipeline (npm start)'], env);
	const created = JSON.parse(output.trim().split('\n').pop() ?? '') as { id: string; key: string };
	updateStateFile<StartState>(stateFile, { platformKey: { id: created.id, key: created.key, database } });
	return created.key;
}

/** Production webhook URLs n8n registered for the given workflows (read from n8n's own webhook table). */
async function registeredWebhooks(n8nDatabase: PostgresTarget, workflowIds: string[], n8nUrl: string): Promise<string[]> {
	const client = new pg.Client(n8nDatabase);
	await client.connect();
	try {
		const { rows } = await client.query<{ method: string; webhookPath: string }>(
			'SELECT method, "webhookPath" FROM webhook_entity WHERE "workflowId" = ANY($1) ORDER BY "webhookPath", method',
			[workflowIds],
		);
		const methodsByPath = new Map<string, string[]>();
		for (const row of rows) methodsByPath.set(row.webhookPath, [...(methodsByPath.get(row.webhookPath) ?? []), row.method]);
		return [...methodsByPath].map(([path, methods]) => `${methods.join('+')} ${n8nUrl}/webhook/${path}`);
	} finally {
		await client.end();
	}
}

function hubSecrets(stateFile: string, env: NodeJS.ProcessEnv): Record<string, string> {
	const stored = readStateFile<StartState>(stateFile).hubSecrets;
	// Each generated once and kept; a state file from before a secret existed gets it added, the others unchanged.
	const secrets = {
		JWT_SECRET: randomBytes(32).toString('base64url'),
		SKYBOT_WEBHOOK_SECRET: randomBytes(32).toString('base64url'),
		// The key of secrets at rest: losing it loses every stored token (the hub refuses to read them).
		ENCRYPTION_KEY: randomBytes(32).toString('base64'),
		...stored,
	};
	if (Object.keys(secrets).length !== Object.keys(stored ?? {}).length) {
		updateStateFile<StartState>(stateFile, { hubSecrets: secrets });
	}
	// A value set in the environment wins over the generated one.
	return Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, env[name]?.trim() || value]));
}

async function main(): Promise<void> {
	process.on('SIGINT', () => void shutDown(130));
	process.on('SIGTERM', () => void shutDown(143));

	const config = resolveStartConfig(process.env);
	const repoRoot = findRepoRoot();
	const stateDir = join(repoRoot, '.skybot');
	const stateFile = join(stateDir, 'state.json');
	mkdirSync(stateDir, { recursive: true });

	await ensurePortsFree(config);
	await ensureRedis(config.redisUrl);

	say('building the node package and the hub…');
	await runStep('build', 'npm', ['run', 'build'], repoRoot);

	const databases = await ensurePostgres(config, repoRoot, stateFile);
	const hubDatabaseUrl = formatPostgresUrl(databases.hub);
	const hubEnv: NodeJS.ProcessEnv = {
		...process.env,
		...hubSecrets(stateFile, process.env),
		DATABASE_URL: hubDatabaseUrl,
		REDIS_URL: config.redisUrl,
		PORT: String(config.hubPort),
		LOG_LEVEL: config.logLevel,
	};

	say('applying hub migrations…');
	await runStep('migrate', process.execPath, [join('hub-api', 'dist', 'hub-api', 'src', 'cli.js'), 'migrate'], repoRoot, hubEnv);
	const platformApiKey = await ensurePlatformKey(repoRoot, stateFile, databases.hub, !config.databaseUrl, hubEnv);

	const runtime = await installN8nRuntime({ repoRoot, onProgress: (line) => say(line) });
	const userFolder = join(stateDir, 'n8n');
	await placeNodePackage(userFolder, { repoRoot });
	const state = readStateFile<StartState>(stateFile);
	const owner = state.n8nOwner ?? { email: 'admin@skybot-hub.dev', password: generateOwnerPassword(), firstName: 'SkyBot', lastName: 'Admin' };
	const generated = state.generated ?? generateSecrets();
	updateStateFile<StartState>(stateFile, { n8nOwner: owner, generated });

	say(`starting n8n on port ${config.n8nPort}${config.n8nWorkers ? ` in queue mode with ${config.n8nWorkers} worker(s)` : ''}…`);
	const n8n = await startN8n({
		userFolder,
		port: config.n8nPort,
		database: databases.n8n,
		owner,
		runtimeDir: runtime.dir,
		queue: config.n8nWorkers ? { redisUrl: config.redisUrl, workers: config.n8nWorkers } : undefined,
		env: { N8N_EDITOR_BASE_URL: `http://localhost:${config.n8nPort}`, WEBHOOK_URL: `http://localhost:${config.n8nPort}/` },
	});
	running.push({ name: 'n8n', stop: () => n8n.stop() });
	for (const child of n8n.processes) {
		void child.exited.then(({ code, signal }) => {
			if (shuttingDown) return;
			say(`${child.name} exited unexpectedly (${signal ?? `exit code ${code}`}) — stopping everything`);
			void shutDown(1);
		});
	}

	const hubUrl = `http://localhost:${config.hubPort}`;
	const credentials = pipelineCredentials({
		hubUrl,
		platformApiKey,
		env: process.env,
		generated,
		webhookSecret: hubEnv.SKYBOT_WEBHOOK_SECRET,
	});
	say('publishing the credentials and workflows in n8n…');
	const bootstrap = await bootstrapN8n({
		url: n8n.url,
		userFolder,
		owner,
		credentials: credentials.specs,
		workflowsDir: join(repoRoot, 'workflows'),
		// Templates are installed per client by the hub (with the client's own credentials), never published as is.
		includeWorkflow: (file) => !file.startsWith(join(repoRoot, 'workflows', 'templates') + sep),
	});

	say(`starting the hub on port ${config.hubPort}…`);
	const hub = startChild({
		name: 'hub',
		command: process.execPath,
		args: [join('hub-api', 'dist', 'hub-api', 'src', 'main.js')],
		cwd: repoRoot,
		env: { ...hubEnv, N8N_URL: n8n.url, N8N_API_KEY: bootstrap.apiKey },
	});
	supervise(hub);
	let hubExited = false;
	void hub.exited.then(() => {
		hubExited = true;
	});
	await waitFor(async () => ((await httpStatus(`http://127.0.0.1:${config.hubPort}/api/ready`)) === 200 ? true : undefined), {
		description: `the hub to answer /api/ready on port ${config.hubPort}`,
		timeoutMs: 60_000,
		abortReason: () => (hubExited ? 'the hub exited while starting; see the [hub] lines above' : undefined),
	});

	const n8nUrl = `http://localhost:${config.n8nPort}`;
	const webhooks = await registeredWebhooks(
		databases.n8n,
		bootstrap.workflows.filter((workflow) => workflow.active).map((workflow) => workflow.id),
		n8nUrl,
	).catch(() => []);
	const lines = [
		'',
		'SkyBot Hub is running',
		`  Hub:               ${hubUrl}  (GET /api/health, /api/ready)`,
		`  Hub API key:       ${platformApiKey}  (platform key, header X-API-Key; the pipeline uses it)`,
		`  n8n:               ${n8nUrl}`,
		`  n8n login:         ${owner.email} / ${owner.password}`,
		...bootstrap.workflows.map((w) => `  Workflow:          "${w.name}" ${w.active ? 'published' : 'NOT published'} (id ${w.id})`),
		...(webhooks.length ? webhooks.map((url) => `  Pipeline webhook:  ${url}`) : ['  Pipeline webhook:  (no production webhook registered)']),
		`  Meta verify token: ${process.env.META_VERIFY_TOKEN?.trim() ? '(from META_VERIFY_TOKEN)' : `${generated.metaVerifyToken} (generated; set META_VERIFY_TOKEN to choose one)`}`,
		...(credentials.placeholders.length
			? [`  Not set:           ${credentials.placeholders.join(', ')} — the n8n "Meta App" / "TikTok App" / "OpenAI" credentials hold placeholders; set them and restart`]
			: []),
		`  Data:              ${stateDir} (kept across restarts; delete it to start from scratch)`,
		'Ctrl-C stops everything.',
		'',
	];
	process.stdout.write(`${lines.join('\n')}\n`);
}

/** Entry point used by scripts/start.ts. */
export function runStart(): void {
	main().catch((error: unknown) => {
		const message =
			error instanceof StartError || error instanceof StartConfigError
				? error.message
				: `npm start failed: ${error instanceof Error ? error.message : String(error)}`;
		process.stderr.write(`${message}\n`);
		void shutDown(1);
	});
}
