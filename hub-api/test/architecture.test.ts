import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The hub's layers, from the bottom up; an import may point down or sideways, never up:
 *   foundation   clock, errors, config, logger, hub-events, contract-check, pg-errors, cache/, n8n/
 *   domain       modules/<feature>/ services, repositories, entities, schemas
 *   http         http/, and each module's HTTP face: *.routes.ts, *.openapi.ts
 *   wiring       db/ (the data source lists every entity), live/ (socket.io)
 *   composition  services.ts (builds every service), app.ts, openapi.ts, server.ts, main.ts, cli.ts, seed.ts
 * A newcomer can then read a service without the HTTP layer, and change a route without touching a service.
 */
const SRC = resolve(__dirname, '../src');
const LAYERS = ['foundation', 'domain', 'http', 'wiring', 'composition'] as const;
type Layer = (typeof LAYERS)[number];

function layerOf(file: string): Layer {
	const path = relative(SRC, file).replace(/\\/g, '/');
	if (/^(services|app|openapi|server|main|cli|seed)\.ts$/.test(path)) return 'composition';
	if (path.startsWith('db/') || path.startsWith('live/')) return 'wiring';
	if (path.startsWith('http/') || /^modules\/.*\.(routes|openapi)\.ts$/.test(path)) return 'http';
	if (path.startsWith('modules/')) return 'domain';
	return 'foundation';
}

function sourceFiles(directory: string): string[] {
	return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
		const path = join(directory, entry.name);
		return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
	});
}

/** Every relative import of `file` that resolves inside src/, type-only ones included (they are arrows too). */
function importsOf(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)]
		.map((match) => resolve(dirname(file), `${match[1]}.ts`))
		.filter((target) => target.startsWith(`${SRC}/`));
}

describe('hub-api layering', () => {
	const files = sourceFiles(SRC);

	it('finds the source files and their imports (the check below has something to check)', () => {
		expect(files.length).toBeGreaterThan(50);
		expect(importsOf(join(SRC, 'app.ts')).map((target) => layerOf(target))).toContain('http');
	});

	it('classifies a sample of files as the comment above says', () => {
		expect(layerOf(join(SRC, 'errors.ts'))).toBe('foundation');
		expect(layerOf(join(SRC, 'modules/leads/leads.service.ts'))).toBe('domain');
		expect(layerOf(join(SRC, 'modules/leads/leads.routes.ts'))).toBe('http');
		expect(layerOf(join(SRC, 'db/data-source.ts'))).toBe('wiring');
		expect(layerOf(join(SRC, 'services.ts'))).toBe('composition');
	});

	it('has no import that runs back up a layer', () => {
		const upward = files.flatMap((file) =>
			importsOf(file)
				.filter((target) => LAYERS.indexOf(layerOf(target)) > LAYERS.indexOf(layerOf(file)))
				.map((target) => `${relative(SRC, file)} (${layerOf(file)}) → ${relative(SRC, target)} (${layerOf(target)})`),
		);
		expect(upward).toEqual([]);
	});
});
