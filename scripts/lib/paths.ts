import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT_PACKAGE_NAME = 'n8n-nodes-skybot';

/**
 * The repository root: the nearest folder at or above `from` whose package.json is the node package.
 * npm scripts and Jest both run from the root, so `process.cwd()` is the usual starting point.
 */
export function findRepoRoot(from: string = process.cwd()): string {
	let current = resolve(from);
	for (;;) {
		const manifest = join(current, 'package.json');
		if (existsSync(manifest)) {
			const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
			if (name === ROOT_PACKAGE_NAME) return current;
		}
		const parent = dirname(current);
		if (parent === current) {
			throw new Error(`Cannot find the SkyBot Hub repository (package "${ROOT_PACKAGE_NAME}") at or above ${from}`);
		}
		current = parent;
	}
}

/** `${SKYBOT_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/skybot-hub}`: where large, shareable downloads live. */
export function skybotCacheDir(env: NodeJS.ProcessEnv = process.env): string {
	if (env.SKYBOT_CACHE_DIR) return resolve(env.SKYBOT_CACHE_DIR);
	const xdgCache = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
	return join(xdgCache, 'skybot-hub');
}
