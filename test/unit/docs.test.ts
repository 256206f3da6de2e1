import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { findRepoRoot } from '../../scripts/lib/paths.ts';

// The README and the guides are what a newcomer trusts first: every relative link must reach a file (and a heading,
// when it names one), every repository path written in code must exist, every `npm run <script>` must be a script,
// and every setting the hub or `npm start` reads must be in the README's configuration table.

const root = findRepoRoot();

/** Top-level folders whose paths, written as inline code (`hub-api/src/app.ts`), are checked to exist. */
const REPOSITORY_FOLDERS = [
	'.ci',
	'bench',
	'contracts',
	'credentials',
	'docs',
	'hub-api',
	'migrations',
	'n8n-runtime',
	'nodes',
	'scripts',
	'test',
	'workflows',
];

/** The Markdown files checked: the README, the guides, the benchmark journals and the workflow changelogs. */
function markdownFiles(): string[] {
	const inFolder = (folder: string) =>
		existsSync(join(root, folder))
			? readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
					.filter((file) => file.endsWith('.md') && !file.split('/').includes('node_modules'))
					.map((file) => join(folder, file))
			: [];
	return ['README.md', ...inFolder('docs'), ...inFolder('bench'), ...inFolder('workflows')].sort();
}

/** The text outside fenced code blocks, line numbers kept (fenced lines become empty). */
function prose(markdown: string): string[] {
	let fence: string | null = null;
	return markdown.split('\n').map((line) => {
		const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
		if (fence === null && marker) {
			fence = marker;
			return '';
		}
		if (fence !== null) {
			if (marker?.startsWith(fence[0]!) && marker.length >= fence.length) fence = null;
			return '';
		}
		return line;
	});
}

const INLINE_CODE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const line of prose(markdown)) {
		const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
		if (heading === undefined) continue;
		const text = heading.replace(INLINE_CODE, '$2').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
		const base = text
			.toLowerCase()
			.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
			.replace(/ /g, '-');
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		anchors.add(count === 0 ? base : `${base}-${count}`);
	}
	return anchors;
}

function packageScripts(packageDir: string): Record<string, string> {
	const manifest = join(root, packageDir, 'package.json');
	if (!existsSync(manifest)) return {};
	return (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
}

/**
 * What is wrong in one Markdown file: broken relative links or anchors, repository paths that do not exist, npm
 * scripts that package.json does not have. `file` is relative to the repository root.
 */
export function problemsIn(file: string, markdown: string): string[] {
	const problems: string[] = [];
	const lines = prose(markdown);
	const anchorsOf = new Map<string, Set<string>>();
	const anchorsIn = (target: string) => {
		if (!anchorsOf.has(target)) {
			const text = target === file ? markdown : readFileSync(join(root, target), 'utf8');
			anchorsOf.set(target, headingAnchors(text));
		}
		return anchorsOf.get(target)!;
	};

	lines.forEach((line, index) => {
		const where = `${file}:${index + 1}`;
		const codeSpans = [...line.matchAll(INLINE_CODE)].map((match) => match[2]!.trim());
		const withoutCode = line.replace(INLINE_CODE, 'code');

		for (const [, target] of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
			if (/^[a-z][a-z+.-]*:/i.test(target!)) continue; // https:, mailto: …: not checked offline
			const [path, anchor] = target!.split('#', 2) as [string, string | undefined];
			const resolved = path === '' ? file : relative(root, resolve(root, dirname(file), path));
			if (resolved.startsWith('..')) {
				problems.push(`${where}: link ${target} leaves the repository`);
				continue;
			}
			if (path !== '' && !existsSync(join(root, resolved))) {
				problems.push(`${where}: link ${target}: ${resolved} does not exist`);
				continue;
			}
			if (anchor === undefined) continue;
			if (!resolved.endsWith('.md')) {
				problems.push(`${where}: link ${target}: an anchor needs a Markdown file`);
			} else if (!anchorsIn(resolved).has(anchor)) {
				problems.push(`${where}: link ${target}: ${resolved} has no heading #${anchor}`);
			}
		}

		for (const span of codeSpans) {
			const top = span.split('/')[0]!;
			// Placeholders (<slug>), globs, elisions and build output (dist/) are not paths to check.
			if (!REPOSITORY_FOLDERS.includes(top) || !/^[\w.-]+(\/[\w.-]+)*\/?$/.test(span)) continue;
			if (span.split('/').includes('dist')) continue;
			if (!existsSync(join(root, span))) problems.push(`${where}: path ${span} does not exist`);
		}
	});

	// Commands are checked in code blocks too: that is where most of them are.
	markdown.split('\n').forEach((line, index) => {
		const where = `${file}:${index + 1}`;
		for (const command of line.split(/&&|;|\||`/)) {
			const run = /\bnpm\s+(?:run|run-script)((?:\s+-[\w-]+(?:\s+[\w@/.-]+)?)*?)\s+([\w:.][\w:.-]*)/.exec(command);
			const lifecycle = /\bnpm\s+(start|test)\b/.exec(command);
			const script = run?.[2] ?? lifecycle?.[1];
			if (script === undefined) continue;
			const workspace = /(?:--workspace[=\s]|-w\s)\s*([\w@/.-]+)/.exec(command)?.[1];
			const packageDir = workspace ?? '.';
			if (!(script in packageScripts(packageDir))) {
				problems.push(`${where}: npm script "${script}" is not in ${join(packageDir, 'package.json')}`);
			}
		}
	});
	return problems;
}

/** The settings the hub (config.ts) and `npm start` (start-config.ts) read from the environment. */
function settingsRead(): { hub: string[]; start: string[] } {
	const config = readFileSync(join(root, 'hub-api', 'src', 'config.ts'), 'utf8');
	const block = /const SETTINGS = \{([\s\S]*?)\n\} satisfies/.exec(config)?.[1] ?? '';
	const hub = [...block.matchAll(/^\t([A-Z][A-Z0-9_]*): \{/gm)].map((match) => match[1]!);
	const startConfig = readFileSync(join(root, 'scripts', 'lib', 'start-config.ts'), 'utf8');
	const start = [...startConfig.matchAll(/\benv\.([A-Z][A-Z0-9_]*)|\(env, '([A-Z][A-Z0-9_]*)'|secret\('([A-Z][A-Z0-9_]*)'\)/g)].map(
		(match) => (match[1] ?? match[2] ?? match[3])!,
	);
	return { hub, start: [...new Set(start)] };
}

function section(markdown: string, heading: string): string {
	const start = markdown.indexOf(`\n## ${heading}\n`);
	if (start === -1) return '';
	const end = markdown.indexOf('\n## ', start + 1);
	return markdown.slice(start, end === -1 ? undefined : end);
}

describe('the documentation', () => {
	const files = markdownFiles();

	it('covers the README, the guides and the benchmark journals', () => {
		expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/providers.md', 'bench/quota/README.md']));
	});

	it.each(files)('%s: every link, path and npm script exists', (file) => {
		expect(problemsIn(file, readFileSync(join(root, file), 'utf8'))).toEqual([]);
	});

	it('lists in the README every setting the hub and npm start read', () => {
		const { hub, start } = settingsRead();
		// If these extractions find nothing, config.ts or start-config.ts changed shape: update settingsRead().
		expect(hub.length).toBeGreaterThan(20);
		expect(start.length).toBeGreaterThan(8);
		const table = section(readFileSync(join(root, 'README.md'), 'utf8'), 'Configuration');
		const missing = [...hub, ...start].filter((name) => !table.includes(`\`${name}\``));
		expect(missing).toEqual([]);
	});

	it('gives every benchmark a journal and a line in the README', () => {
		const readme = readFileSync(join(root, 'README.md'), 'utf8');
		const benches = readdirSync(join(root, 'bench')).filter((name) => existsSync(join(root, 'bench', name, 'run.ts')));
		expect(benches.length).toBeGreaterThan(0);
		for (const name of benches) {
			expect(existsSync(join(root, 'bench', name, 'README.md'))).toBe(true);
			expect(readme).toContain(`npm run bench -- ${name}`);
			expect(readme).toContain(`(bench/${name}/README.md)`);
		}
	});
});

describe('the documentation check', () => {
	it('reports a link to a missing file, a missing heading, a missing path and an unknown npm script', () => {
		const markdown = [
			'# Title',
			'See [the guide](missing-guide.md), [a section](../README.md#no-such-heading) and [here](#title).',
			'The code is in `hub-api/src/no-such-file.ts`; build with `npm run no-such-script`.',
			'```sh',
			'npm run build --workspace hub-api && npm run nope --workspace hub-api',
			'```',
		].join('\n');
		expect(problemsIn('docs/example.md', markdown)).toEqual([
			'docs/example.md:2: link missing-guide.md: docs/missing-guide.md does not exist',
			'docs/example.md:2: link ../README.md#no-such-heading: README.md has no heading #no-such-heading',
			'docs/example.md:3: path hub-api/src/no-such-file.ts does not exist',
			'docs/example.md:3: npm script "no-such-script" is not in package.json',
			'docs/example.md:5: npm script "nope" is not in hub-api/package.json',
		]);
	});

	it('accepts what exists, and ignores links and paths inside code blocks and placeholders', () => {
		const markdown = [
			'# Quick start',
			'## Quick start',
			'[Layout](../README.md#layout), [again](#quick-start-1), [folder](../hub-api/src/), [web](https://n8n.io).',
			'`hub-api/src/app.ts`, `workflows/templates/<slug>/`, `hub-api/dist/hub-api/src/cli.js`, `npm start`.',
			'```',
			'[not a link](nowhere.md) `test/nowhere.ts`',
			'```',
		].join('\n');
		expect(problemsIn('docs/example.md', markdown)).toEqual([]);
	});

	it('makes GitHub anchors from headings', () => {
		expect([...headingAnchors('# Plans and limits\n## `hub-api/src`: the map\n### Runs A–L\n## Plans and limits')]).toEqual([
			'plans-and-limits',
			'hub-apisrc-the-map',
			'runs-al',
			'plans-and-limits-1',
		]);
	});
});
