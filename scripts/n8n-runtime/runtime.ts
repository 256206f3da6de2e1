import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { sha256OfFiles } from '../lib/hash.ts';
import { findRepoRoot, skybotCacheDir } from '../lib/paths.ts';

/** The two files that pin the runtime; their contents decide the install directory. */
const MANIFEST_FILES = ['package.json', 'package-lock.json'] as const;
const INSTALLER_PID_FILE = '.installer-pid';
const HEARTBEAT_MS = 15_000;
/** How long a `.partial` directory without an installer pid counts as just claimed rather than abandoned. */
const CLAIM_GRACE_MS = 60_000;

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
	/** Environment for locating the cache (SKYBOT_CACHE_DIR, XDG_CACHE_HOME) and for npm. Defaults to process.env. */
	env?: NodeJS.ProcessEnv;
	/** The npm executable (default `npm` from PATH). */
	npmCommand?: string;
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
 * at once). When `npm ci` rejects the lockfile as out of sync (it lacks optional packages for other platforms that the
 * registry does not carry), it installs the same locked versions with `npm install --no-save` instead, and checks that
 * the n8n it got is the pinned version. The install runs in `<dir>.partial`, renamed when npm succeeds, so an interrupted install never looks
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
	let reportedWaiting = false;
	for (;;) {
		if (claimPartialDir(partial)) {
			// Another installer may have finished between our first check and the claim.
			if (!isN8nRuntimeInstalled(dir)) break;
			rmSync(partial, { recursive: true, force: true });
			return done(true);
		}
		if (isN8nRuntimeInstalled(dir)) return done(true);
		const holder = readInstallerPid(partial);
		const justClaimed = holder === undefined && Date.now() - modifiedAt(partial) < CLAIM_GRACE_MS; // pid not written yet
		if ((holder !== undefined && isProcessAlive(holder)) || justClaimed) {
			if (!reportedWaiting) report(`Another process${holder ? ` (pid ${holder})` : ''} is installing n8n into ${partial}; waiting for it…`);
			reportedWaiting = true;
			await new Promise((resolve) => setTimeout(resolve, 2000));
			continue;
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
		const npm = { command: options.npmCommand ?? 'npm', env: options.env ?? process.env };
		const ci = await runNpm(npm, partial, ['ci', ...NPM_FLAGS], report);
		if (!ci.ok) {
			if (!ci.lockfileOutOfSync) throw new Error(`\`npm ci\` in ${partial} failed; see npm's output above`);
			// The lockfile leaves out optional packages for other platforms that the registry does not carry (e.g.
			// @msgpackr-extract/*-darwin-arm64@3.0.7), which `npm ci` counts as out of sync. `npm install` with the same
			// lockfile installs the same locked versions and skips the unavailable optional packages.
			report('`npm ci` refused the lockfile (optional platform packages missing from it); installing the same locked versions with `npm install`…');
			rmSync(join(partial, 'node_modules'), { recursive: true, force: true });
			const install = await runNpm(npm, partial, ['install', '--no-save', ...NPM_FLAGS], report);
			if (!install.ok) throw new Error(`\`npm install\` in ${partial} failed; see npm's output above`);
		}
		const installed = installedN8nVersion(partial);
		if (installed !== version) {
			throw new Error(`npm installed n8n ${installed ?? '(nothing)'} in ${partial}, but n8n-runtime/package.json pins ${version}`);
		}
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

function modifiedAt(path: string): number {
	try {
		return statSync(path).mtimeMs;
	} catch {
		return 0;
	}
}

// n8n's tree makes npm print hundreds of peer-dependency warnings that say nothing about this install: errors only.
const NPM_FLAGS = ['--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];

function installedN8nVersion(dir: string): string | undefined {
	try {
		return (JSON.parse(readFileSync(join(dir, 'node_modules', 'n8n', 'package.json'), 'utf8')) as { version: string }).version;
	} catch {
		return undefined;
	}
}

/** Runs npm in `cwd`, streaming its output as progress with a heartbeat; never rejects on npm's exit code. */
function runNpm(
	npm: { command: string; env: NodeJS.ProcessEnv },
	cwd: string,
	args: string[],
	report: (line: string) => void,
): Promise<{ ok: boolean; lockfileOutOfSync: boolean }> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const child = spawn(npm.command, args, { cwd, env: npm.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let lockfileOutOfSync = false;
		const heartbeat = setInterval(() => {
			report(`  … still installing n8n (${formatDuration(Date.now() - started)} so far)`);
		}, HEARTBEAT_MS);
		const forward = (chunk: Buffer) => {
			const text = chunk.toString('utf8');
			if (text.includes('can only install packages when your package.json and package-lock.json')) lockfileOutOfSync = true;
			for (const line of text.split(/\r?\n/)) if (line.trim()) report(`  npm: ${line}`);
		};
		child.stdout.on('data', forward);
		child.stderr.on('data', forward);
		child.on('error', (error) => {
			clearInterval(heartbeat);
			reject(new Error(`Could not run npm to install n8n: ${error.message}`));
		});
		child.on('exit', (code) => {
			clearInterval(heartbeat);
			resolve({ ok: code === 0, lockfileOutOfSync });
		});
	});
}

function formatDuration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
