/**
 * Second half of `npm run build:nodes`: tsc emits only JavaScript, so copy the icons the node and credential
 * descriptions reference (`icon: 'file:…'`, resolved next to the built .js file) into dist/ at the same paths.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';

const ASSET_EXTENSIONS = new Set(['.svg', '.png']);
const SOURCE_DIRS = ['nodes', 'credentials'];

function* assetsUnder(dir: string): Generator<string> {
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) yield* assetsUnder(path);
		else if (ASSET_EXTENSIONS.has(extname(entry.name).toLowerCase())) yield path;
	}
}

export function copyNodeAssets(root: string): string[] {
	const copied: string[] = [];
	for (const sourceDir of SOURCE_DIRS) {
		for (const source of assetsUnder(join(root, sourceDir))) {
			const target = join(root, 'dist', relative(root, source));
			mkdirSync(dirname(target), { recursive: true });
			copyFileSync(source, target);
			copied.push(relative(root, target));
		}
	}
	return copied;
}

if (process.argv[1] && /copy-node-assets\.ts$/.test(process.argv[1])) {
	const copied = copyNodeAssets(process.cwd());
	console.log(`copy-node-assets: ${copied.length} icon(s) copied into dist/`);
}
