import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { sha256OfFiles } from './hash.ts';

/** Records which package-lock.json the current node_modules was installed from. */
export const INSTALL_HASH_FILE = join('node_modules', '.skybot-install-hash');

export type InstallStatus =
	| { state: 'current'; lockHash: string }
	| { state: 'missing' | 'stale'; lockHash: string; reason: string };

/**
 * Whether `npm ci` is needed in `root`: node_modules missing, or installed from another package-lock.json than the
 * current one. A node_modules without our hash file (installed by hand) counts as current when npm's own record of it
 * (node_modules/.package-lock.json) is at least as new as package-lock.json, so adopting the hook never reinstalls
 * a fresh tree for nothing.
 */
export function installStatus(root: string): InstallStatus {
	const lockFile = join(root, 'package-lock.json');
	const lockHash = sha256OfFiles([lockFile]);
	if (!existsSync(join(root, 'node_modules'))) {
		return { state: 'missing', lockHash, reason: 'node_modules is missing' };
	}
	const hashFile = join(root, INSTALL_HASH_FILE);
	if (existsSync(hashFile)) {
		return readFileSync(hashFile, 'utf8').trim() === lockHash
			? { state: 'current', lockHash }
			: { state: 'stale', lockHash, reason: 'package-lock.json changed since the last install' };
	}
	const npmRecord = join(root, 'node_modules', '.package-lock.json');
	if (existsSync(npmRecord) && statSync(npmRecord).mtimeMs >= statSync(lockFile).mtimeMs) {
		return { state: 'current', lockHash };
	}
	return { state: 'stale', lockHash, reason: 'node_modules may predate package-lock.json' };
}

/** Records that node_modules now matches `lockHash`. */
export function recordInstall(root: string, lockHash: string): void {
	writeFileSync(join(root, INSTALL_HASH_FILE), `${lockHash}\n`);
}

const NPM_FLAGS = ['--no-audit', '--no-fund'];

/**
 * Runs `npm ci` in `root` when installStatus says so (npm's output shown); returns false when npm failed.
 *
 * The lockfile cannot list the optional platform builds (swc, unrs-resolver …) that this registry does not serve,
 * and `npm ci` then refuses it as "out of sync" before touching anything. In that one case the same locked versions
 * are installed with `npm install --no-save`, which skips the missing optional builds and leaves the lockfile as is.
 */
export function ensureInstalled(root: string): boolean {
	const status = installStatus(root);
	if (status.state === 'current') {
		if (!existsSync(join(root, INSTALL_HASH_FILE))) recordInstall(root, status.lockHash);
		return true;
	}
	console.log(`Installing dependencies with \`npm ci\` (${status.reason})…`);
	const ci = spawnSync('npm', ['ci', ...NPM_FLAGS], { cwd: root, stdio: ['inherit', 'inherit', 'pipe'], encoding: 'utf8' });
	let ok = ci.status === 0;
	if (!ok && /package\.json and package-lock\.json .* in sync/.test(ci.stderr ?? '')) {
		console.log('`npm ci` calls the lockfile out of sync (optional platform builds this registry lacks); installing the locked versions with `npm install --no-save`…');
		ok = spawnSync('npm', ['install', '--no-save', ...NPM_FLAGS], { cwd: root, stdio: 'inherit' }).status === 0;
	} else if (!ok) {
		process.stderr.write(ci.stderr ?? '');
	}
	if (!ok) {
		console.error('Installing the dependencies failed; see npm\'s output above.');
		return false;
	}
	recordInstall(root, status.lockHash);
	return true;
}
