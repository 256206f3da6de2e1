import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { sha256OfFiles } from '../lib/hash.ts';
import { findRepoRoot, skybotCacheDir } from '../lib/paths.ts';

/** The two files that pin the runtime; their contents decide the install directory. */
const MANIFEST_FILES = ['package.json', 'package-lock.json'] as const;
const INSTALLER_PID_FILE = '.installer-pid';
const HEARTBEAT_MS = 15_000;

/** Folder of the committed n8n runtime manifest (`n8n-runtime/` in the repository). */
export function n8nRuntimeManifestDir(repoRoot: string = findRepoRoot()): string {
	return join(repoRoot, 'n8n-runtime');
}

/**
 * First 12 hex digits of sha256 over n8n-runtime/package.json followed by package-lock.json
 * (`cat package.json package-lock.json | sha256sum`). Any change to the pinned versions gives a new directory.
 */
export function n8nRuntimeHash(manifestDir: string = n8nRuntimeManifestDir()): string {
	return sha256OfFiles(MANIFEST_FILES.map((file) => join(manifestDir, file))).slice(0, 12);
}

/** `<cache>/n8n-runtime/<hash>`: where the pinned n8n is (or will be) installed. */
export function n8nRuntimeDir(options: { repoRoot?: string; env?: NodeJS.ProcessEnv } = {}): string {
	const manifestDir = n8nRuntimeManifestDir(options.repoRoot ?? findRepoRoot());
	return join(skybotCacheDir(options.env), 'n8n-runtime', n8nRuntimeHash(manifestDir));
}

/** The n8n CLI entry of an installed runtime. */
export function n8nBinary(runtimeDir: string): string {
	return join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n');
}

/** True when `runtimeDir` holds a finished install (installs happen in `<dir>.partial` and are renamed at the end). */
export function isN8nRuntimeInstalled(runtimeDir: string): boolean {
	return existsSync(join(runtimeDir, 'node_modules', 'n8n', 'package.json'));
}

export interface InstallN8nRuntimeOptions {
	repoRoot?: string;
	env?: NodeJS.ProcessEnv;
	/** Progress lines (what is happening, heartbeats, npm's output). Defaults to stderr. */
	onProgress?: (line: string) => void;
}

export interface InstalledN8nRuntime {
	/** The runtime directory (contains node_modules/n8n). */
	dir: string;
	/** Path of the `n8n` CLI script, to run with Node 24. */
	binary: string;
	/** False when this call did the install, true when it was already there. */
	alreadyInstalled: boolean;
}

/**
 * Installs the pinned n8n (n8n-runtime/package.json + package-lock.json) with
 * `npm ci --ignore-scripts --no-audit --no-fund` into `n8nRuntimeDir()`, unless it is already there (then it returns
 * at once). The install runs in `<dir>.partial`, renamed when npm succeeds, so an interrupted install never looks
 * complete; concurrent callers wait for the one that holds `<dir>.partial` instead of installing twice.
 *
 * No install script runs: `@confluentinc/kafka-javascript`'s build needs the internet, and with PostgreSQL n8n needs no
 * native module (see shared/N8N-RUNTIME.md).
 */
export async function installN8nRuntime(options: InstallN8nRuntimeOptions = {}): Promise<InstalledN8nRuntime> {
	const repoRoot = options.repoRoot ?? findRepoRoot();
	const report = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
	const dir = n8nRuntimeDir({ repoRoot, env: options.env });
	const done = (alreadyInstalled: boolean): InstalledN8nRuntime => ({ dir, binary: n8nBinary(dir), alreadyInstalled });
	if (isN8nRuntimeInstalled(dir)) return done(true);

	const partial = `${dir}.partial`;
	for (;;) {
		if (claimPartialDir(partial)) break;
		const holder = readInstallerPid(partial);
		if (holder !== undefined && isProcessAlive(holder)) {
			report(`Another process (pid ${holder}) is installing n8n into ${partial}; waiting for it…`);
			await waitUntil(() => isN8nRuntimeInstalled(dir) || !isProcessAlive(holder), HEARTBEAT_MS);
			if (isN8nRuntimeInstalled(dir)) return done(true);
		}
		// Left over by an install that died: start over.
		rmSync(partial, { recursive: true, force: true });
	}

	try {
		const manifestDir = n8nRuntimeManifestDir(repoRoot);
		for (const file of MANIFEST_FILES) copyFileSync(join(manifestDir, file), join(partial, file));
		const version = pinnedN8nVersion(manifestDir);
		report(
			`Installing n8n ${version} into ${dir} — first run only; it usually takes about 5 minutes and 2.8 GB ` +
				'(2,360 packages from the npm registry).',
		);
		await runNpmCi(partial, report);
		rmSync(join(partial, INSTALLER_PID_FILE), { force: true });
		rmSync(dir, { recursive: true, force: true });
		renameSync(partial, dir);
		report(`n8n ${version} installed in ${dir}.`);
		return done(false);
	} catch (error) {
		rmSync(partial, { recursive: true, force: true });
		throw error;
	}
}

function pinnedN8nVersion(manifestDir: string): string {
	const manifest = JSON.parse(readFileSync(join(manifestDir, 'package.json'), 'utf8')) as {
		dependencies?: Record<string, string>;
	};
	return manifest.dependencies?.n8n ?? '(unpinned)';
}

/** Atomically takes ownership of `<dir>.partial` (mkdir fails when it exists) and records our pid in it. */
function claimPartialDir(partial: string): boolean {
	try {
		mkdirSync(join(partial, '..'), { recursive: true });
		mkdirSync(partial);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	}
	writeFileSync(join(partial, INSTALLER_PID_FILE), String(process.pid));
	return true;
}

function readInstallerPid(partial: string): number | undefined {
	try {
		const pid = Number(readFileSync(join(partial, INSTALLER_PID_FILE), 'utf8'));
		return Number.isInteger(pid) && pid > 0 ? pid : undefined;
	} catch {
		return undefined;
	}
}

function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

async function waitUntil(condition: () => boolean, pollMs: number): Promise<void> {
	while (!condition()) await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, 2000)));
}

function runNpmCi(cwd: string, report: (line: string) => void): Promise<void> {
	const started = Date.now();
	const args = ['ci', '--ignore-scripts', '--no-audit', '--no-fund'];
	return new Promise((resolve, reject) => {
		const child = spawn('npm', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		const heartbeat = setInterval(() => {
			report(`  … still installing n8n (${formatDuration(Date.now() - started)} so far)`);
		}, HEARTBEAT_MS);
		const forward = (chunk: Buffer) => {
			for (const line of chunk.toString('utf8').split(/\r?\n/)) if (line.trim()) report(`  npm: ${line}`);
		};
		child.stdout.on('data', forward);
		child.stderr.on('data', forward);
		child.on('error', (error) => {
			clearInterval(heartbeat);
			reject(new Error(`Could not run npm to install n8n: ${error.message}`));
		});
		child.on('exit', (code, signal) => {
			clearInterval(heartbeat);
			if (code === 0) return resolve();
			reject(new Error(`\`npm ${args.join(' ')}\` in ${cwd} failed (${signal ?? `exit code ${code}`}); see npm's output above`));
		});
	});
}

function formatDuration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
