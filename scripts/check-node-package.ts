/**
 * Checks the built node package the way n8n loads it: every path in package.json's `n8n.nodes` / `n8n.credentials`
 * exists under dist/, exports a class named after the file that can be instantiated, and every icon its description
 * references exists next to it. Run after `npm run build:nodes`; exits 1 with one line per problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

interface Described {
	name?: string;
	icon?: unknown;
	description?: { name?: string; icon?: unknown };
}

function iconPaths(icon: unknown): string[] {
	if (typeof icon === 'string') return [icon];
	if (icon && typeof icon === 'object') return Object.values(icon).filter((value) => typeof value === 'string');
	return [];
}

export function checkNodePackage(root: string): { loaded: string[]; problems: string[] } {
	const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const requireFromRoot = createRequire(join(root, 'package.json'));
	const loaded: string[] = [];
	const problems: string[] = [];
	const entries = [
		...(manifest.n8n?.nodes ?? []).map((path) => ({ path, suffix: '.node.js' })),
		...(manifest.n8n?.credentials ?? []).map((path) => ({ path, suffix: '.credentials.js' })),
	];
	if (entries.length === 0) problems.push('package.json n8n block lists no nodes or credentials');

	for (const { path, suffix } of entries) {
		const file = join(root, path);
		if (!existsSync(file)) {
			problems.push(`${path}: missing (run npm run build:nodes)`);
			continue;
		}
		const className = basename(path, suffix);
		const exported = (requireFromRoot(file) as Record<string, unknown>)[className];
		if (typeof exported !== 'function') {
			problems.push(`${path}: does not export class ${className}`);
			continue;
		}
		const instance = new (exported as new () => Described)();
		const typeName = suffix === '.node.js' ? instance.description?.name : instance.name;
		const icon = suffix === '.node.js' ? instance.description?.icon : instance.icon;
		if (!typeName) problems.push(`${path}: ${className} has no type name`);
		const icons = iconPaths(icon);
		if (icons.length === 0) problems.push(`${path}: ${className} has no icon`);
		for (const iconPath of icons) {
			const iconFile = join(dirname(file), iconPath.replace(/^file:/, ''));
			if (!existsSync(iconFile)) problems.push(`${path}: icon ${iconPath} not found at ${iconFile}`);
		}
		loaded.push(`${typeName} (${path})`);
	}
	return { loaded, problems };
}

if (process.argv[1] && /check-node-package\.ts$/.test(process.argv[1])) {
	const { loaded, problems } = checkNodePackage(process.cwd());
	for (const line of loaded) console.log(`ok  ${line}`);
	for (const line of problems) console.error(`ERR ${line}`);
	process.exitCode = problems.length ? 1 : 0;
}
