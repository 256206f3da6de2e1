import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { findRepoRoot } from '../lib/paths.ts';
import { runToCompletion } from '../lib/processes.ts';

export const NODE_PACKAGE_NAME = 'n8n-nodes-skybot';

/** `<userFolder>/.n8n/nodes`: the folder n8n installs community packages into and loads them from. */
export function communityNodesDir(userFolder: string): string {
	return join(userFolder, '.n8n', 'nodes');
}

export interface PlacedNodePackage {
	/** Where the package now is: `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-skybot`. */
	dir: string;
	version: string;
}

/**
 * Places the built node package in `userFolder` exactly as npm would publish it, so n8n loads it as the community
 * package `n8n-nodes-skybot` and its node types are `n8n-nodes-skybot.<name>` — the names the workflow JSON uses.
 *
 * Runs `npm pack` in the repository (the `files` list decides what ships: dist/nodes, dist/credentials,
 * dist/contracts), extracts the tarball, replaces any previous copy (so no stale file survives a rename) and lists the
 * package in `<userFolder>/.n8n/nodes/package.json`. Build first (`npm run build:nodes`).
 */
export async function placeNodePackage(
	userFolder: string,
	options: { repoRoot?: string } = {},
): Promise<PlacedNodePackage> {
	const repoRoot = options.repoRoot ?? findRepoRoot();
	if (!existsSync(join(repoRoot, 'dist', 'nodes')) && !existsSync(join(repoRoot, 'dist', 'credentials'))) {
		throw new Error(`The node package is not built (no ${join(repoRoot, 'dist')}/nodes) — run \`npm run build:nodes\` first`);
	}
	const workDir = mkdtempSync(join(tmpdir(), 'skybot-pack-'));
	try {
		const packOutput = await runToCompletion(
			'npm',
			['pack', '--json', '--ignore-scripts', '--pack-destination', workDir],
			{ cwd: repoRoot, quiet: true },
		);
		const [{ filename }] = JSON.parse(packOutput) as { filename: string }[];

		const nodesDir = communityNodesDir(userFolder);
		const target = join(nodesDir, 'node_modules', NODE_PACKAGE_NAME);
		// Unpack next to the target (same filesystem) so the final swap is a rename.
		mkdirSync(join(nodesDir, 'node_modules'), { recursive: true });
		const staging = mkdtempSync(join(nodesDir, '.staging-'));
		try {
			await runToCompletion('tar', ['-xzf', join(workDir, filename), '-C', staging], { quiet: true });
			const unpacked = join(staging, 'package'); // npm tarballs keep everything under package/
			const { version } = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as { version: string };
			rmSync(target, { recursive: true, force: true });
			renameSync(unpacked, target);
			listDependency(nodesDir, version);
			return { dir: target, version };
		} finally {
			rmSync(staging, { recursive: true, force: true });
		}
	} finally {
		rmSync(workDir, { recursive: true, force: true });
	}
}

/** Adds the package to `.n8n/nodes/package.json` dependencies, keeping whatever else is listed there. */
function listDependency(nodesDir: string, version: string): void {
	const manifestPath = join(nodesDir, 'package.json');
	const manifest: { dependencies?: Record<string, string> } = existsSync(manifestPath)
		? JSON.parse(readFileSync(manifestPath, 'utf8'))
		: { name: 'installed-nodes', private: true };
	manifest.dependencies = { ...manifest.dependencies, [NODE_PACKAGE_NAME]: version };
	writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}
