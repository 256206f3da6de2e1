import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { sha256Hex } from '../lib/hash.ts';
import { httpStatus, findFreePort, waitFor } from '../lib/net.ts';
import { ensureDatabase, parsePostgresUrl } from '../lib/postgres.ts';
import type { PostgresTarget } from '../lib/postgres.ts';
import { startChild } from '../lib/processes.ts';
import type { ManagedChild } from '../lib/processes.ts';
import { readStateFile, updateStateFile } from '../lib/state-file.ts';
import { hashOwnerPassword } from './owner.ts';
import type { N8nOwner } from './owner.ts';
import { installN8nRuntime, n8nBinary } from './runtime.ts';

/** Per-user-folder state kept by this library (mode 0600): the encryption key and the bootstrap API key. */
export interface UserFolderState {
	encryptionKey: string;
	apiKey: string;
	apiKeyId: string;
	/** Credential ids by credential name, for instances whose public API cannot list credentials. */
	credentialIds: Record<string, string>;
}

/** `<userFolder>/skybot-state.json`. */
export function userFolderStateFile(userFolder: string): string {
	return join(userFolder, 'skybot-state.json');
}

export interface QueueModeOptions {
	/** Redis that carries n8n's bull queue, e.g. redis://127.0.0.1:6379/0. */
	redisUrl: string;
	/** How many `n8n worker` processes to start (default 1). */
	workers?: number;
	/**
	 * Bull key prefix (QUEUE_BULL_PREFIX). Defaults to one derived from the user folder so that two instances sharing a
	 * Redis (parallel test runs) never take each other's jobs.
	 */
	bullPrefix?: string;
}

export interface StartN8nOptions {
	/** N8N_USER_FOLDER: n8n keeps `.n8n/` (settings, community nodes) there; this library keeps skybot-state.json. */
	userFolder: string;
	/** N8N_PORT of the main process; a free port when omitted. */
	port?: number;
	/**
	 * n8n's own PostgreSQL database (a URL or its parts). Created when missing, on the same server.
	 */
	database: string | PostgresTarget;
	owner: N8nOwner;
	/** An installed runtime directory; by default the pinned runtime is installed (or found) with installN8nRuntime. */
	runtimeDir?: string;
	/** Run in queue mode (EXECUTIONS_MODE=queue) with `n8n worker` children. Main-only when omitted. */
	queue?: QueueModeOptions;
	/** Extra variables for every n8n process, applied last (e.g. N8N_EXPRESSION_ENGINE, EXECUTIONS_DATA_SAVE_ON_SUCCESS). */
	env?: Record<string, string>;
	/** How long to wait for n8n to become ready (default 5 minutes: the first start runs ~200 migrations). */
	readyTimeoutMs?: number;
	/** Receives n8n's output lines, prefixed `[n8n]` / `[n8n-worker-1]`. Defaults to stdout. */
	onLine?: (line: string) => void;
	/** Log prefix of the main process (default `n8n`). */
	name?: string;
}

export interface N8nInstance {
	/** Base URL of the main process, e.g. http://127.0.0.1:5678 (no trailing slash). */
	url: string;
	port: number;
	userFolder: string;
	/** The main process followed by any workers. */
	processes: ManagedChild[];
	/** The main process's last output lines. */
	recentOutput(): string[];
	/** Stops workers then the main process (each as a process group, so no task runner survives). */
	stop(): Promise<void>;
}

/**
 * The encryption key of this user folder: the one this library stored, else the one n8n already wrote into
 * `.n8n/config`, else a new random key. It is stored so that credentials stay readable across restarts.
 */
export function ensureEncryptionKey(userFolder: string): string {
	const stateFile = userFolderStateFile(userFolder);
	const stored = readStateFile<UserFolderState>(stateFile).encryptionKey;
	if (stored) return stored;
	const n8nSettingsFile = join(userFolder, '.n8n', 'config');
	const fromN8n = existsSync(n8nSettingsFile)
		? (JSON.parse(readFileSync(n8nSettingsFile, 'utf8')) as { encryptionKey?: string }).encryptionKey
		: undefined;
	const encryptionKey = fromN8n ?? randomBytes(24).toString('base64');
	updateStateFile<UserFolderState>(stateFile, { encryptionKey });
	return encryptionKey;
}

/** The DB_POSTGRESDB_* variables for a database. */
export function postgresEnv(database: PostgresTarget): Record<string, string> {
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: database.host,
		DB_POSTGRESDB_PORT: String(database.port),
		DB_POSTGRESDB_USER: database.user,
		DB_POSTGRESDB_PASSWORD: database.password,
		DB_POSTGRESDB_DATABASE: database.database,
	};
}

/** The QUEUE_BULL_REDIS_* variables for a redis:// URL (database index from the path, default 0). */
export function queueRedisEnv(redisUrl: string): Record<string, string> {
	const url = new URL(redisUrl);
	const env: Record<string, string> = {
		QUEUE_BULL_REDIS_HOST: url.hostname || '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: url.port || '6379',
		QUEUE_BULL_REDIS_DB: url.pathname.replace(/^\//, '') || '0',
	};
	if (url.username) env.QUEUE_BULL_REDIS_USERNAME = decodeURIComponent(url.username);
	if (url.password) env.QUEUE_BULL_REDIS_PASSWORD = decodeURIComponent(url.password);
	if (url.protocol === 'rediss:') env.QUEUE_BULL_REDIS_TLS = 'true';
	return env;
}

/**
 * Starts n8n (the pinned runtime, run by this Node 24) on PostgreSQL with the owner declared through the environment,
 * telemetry and template fetching off, and waits until it serves /healthz/readiness and /rest/settings.
 * In queue mode the workers start once the main process has migrated the database, and each is awaited on its own
 * health endpoint. Throws, after stopping what it started, with the last lines of n8n's output when n8n exits or
 * does not become ready in time.
 */
export async function startN8n(options: StartN8nOptions): Promise<N8nInstance> {
	const runtimeDir = options.runtimeDir ?? (await installN8nRuntime()).dir;
	const database = typeof options.database === 'string' ? parsePostgresUrl(options.database, 'database') : options.database;
	await ensureDatabase(database);
	const port = options.port ?? (await findFreePort());
	const readyTimeoutMs = options.readyTimeoutMs ?? 300_000;

	const sharedEnv: Record<string, string> = {
		// Inherited NODE_ENV=test (Jest sets it) makes n8n exit at start-up without a word.
		NODE_ENV: 'production',
		N8N_USER_FOLDER: options.userFolder,
		...postgresEnv(database),
		N8N_ENCRYPTION_KEY: ensureEncryptionKey(options.userFolder),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		// The vm engine still sandboxes every expression; lazily, an execution that evaluates none (the pipeline, whose
		// nodes read the item in code) creates no V8 isolate. docs/deployment.md and bench/pipeline say what it saves.
		N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: process.env.N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE ?? 'true',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: options.owner.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: options.owner.firstName ?? 'SkyBot',
		N8N_INSTANCE_OWNER_LAST_NAME: options.owner.lastName ?? 'Owner',
		N8N_INSTANCE_OWNER_PASSWORD_HASH: hashOwnerPassword(runtimeDir, options.owner.password),
	};
	if (options.queue) {
		Object.assign(sharedEnv, queueRedisEnv(options.queue.redisUrl), {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_PREFIX: options.queue.bullPrefix ?? defaultBullPrefix(options.userFolder),
		});
	}

	const spawnN8n = async (name: string, args: string[], ownEnv: Record<string, string>) =>
		startChild({
			name,
			command: process.execPath,
			args: [n8nBinary(runtimeDir), ...args],
			cwd: options.userFolder,
			// Each process runs its own task broker; a free port keeps parallel instances apart (default 5679).
			env: { ...process.env, ...sharedEnv, N8N_RUNNERS_BROKER_PORT: String(await findFreePort()), ...ownEnv, ...options.env },
			onLine: options.onLine,
			keepLines: 80,
		});

	const url = `http://127.0.0.1:${port}`;
	const main = await spawnN8n(options.name ?? 'n8n', ['start'], { N8N_PORT: String(port) });
	const processes: ManagedChild[] = [main];
	const stopAll = async () => {
		for (const child of [...processes].reverse()) await child.stop();
	};
	try {
		await waitUntilServing(main, [`${url}/healthz/readiness`, `${url}/rest/settings`], readyTimeoutMs);
		for (let index = 1; index <= (options.queue?.workers ?? (options.queue ? 1 : 0)); index++) {
			const healthPort = await findFreePort();
			const worker = await spawnN8n(`${options.name ?? 'n8n'}-worker-${index}`, ['worker'], {
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			});
			processes.push(worker);
			await waitUntilServing(worker, [`http://127.0.0.1:${healthPort}/healthz`], readyTimeoutMs);
		}
	} catch (error) {
		await stopAll();
		throw error;
	}
	return { url, port, userFolder: options.userFolder, processes, recentOutput: () => main.recentOutput(), stop: stopAll };
}

function defaultBullPrefix(userFolder: string): string {
	return `bull-${sha256Hex([userFolder]).slice(0, 10)}`;
}

async function waitUntilServing(child: ManagedChild, urls: string[], timeoutMs: number): Promise<void> {
	let exit: string | undefined;
	void child.exited.then(({ code, signal }) => {
		exit = signal ?? `exit code ${code}`;
	});
	const lastLines = () => child.recentOutput().slice(-25).join('\n');
	try {
		await waitFor(
			async () => {
				for (const url of urls) if ((await httpStatus(url)) !== 200) return undefined;
				return true;
			},
			{
				description: `${child.name} to answer ${urls.join(' and ')}`,
				timeoutMs,
				intervalMs: 1000,
				abortReason: () => (exit ? `${child.name} exited while starting (${exit})` : undefined),
			},
		);
	} catch (error) {
		throw new Error(`${(error as Error).message}. Last lines of ${child.name}'s output:\n${lastLines()}`);
	}
}
