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

/** Runs `npm ci` in `root` when installStatus says so (npm's output shown); returns false when npm failed. */
export function ensureInstalled(root: string): boolean {
	const status = installStatus(root);
	if (status.state === 'current') {
		if (!existsSync(join(root, INSTALL_HASH_FILE))) recordInstall(root, status.lockHash);
		return true;
	}
	console.log(`Installing dependencies with \`npm ci\` (${status.reason})…`);
	const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) {
		console.error('`npm ci` failed; see its output above.');
		return false;
	}
	recordInstall(root, status.lockHash);
	return true;
}
