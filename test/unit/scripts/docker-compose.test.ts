import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { findRepoRoot } from '../../../scripts/lib/paths.ts';

// docker-compose.yml cannot be run here (no Docker engine); these checks keep it in step with the code.
const root = findRepoRoot();
const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');

describe('docker-compose.yml', () => {
	it('runs the same n8n version that scripts and tests run', () => {
		const pinned = (JSON.parse(readFileSync(join(root, 'n8n-runtime', 'package.json'), 'utf8')) as {
			dependencies: { n8n: string };
		}).dependencies.n8n;
		const images = [...compose.matchAll(/n8nio\/n8n:([\w.-]+)/g)].map((match) => match[1]);
		expect(images.length).toBeGreaterThan(0);
		expect(new Set(images)).toEqual(new Set([pinned]));
	});

	it('has n8n main, workers and a webhook processor in queue mode, Redis with AOF and the hub', () => {
		for (const service of ['postgres', 'redis', 'n8n', 'n8n-worker', 'n8n-webhook', 'hub-migrate', 'hub']) {
			expect(compose).toMatch(new RegExp(`^  ${service}:$`, 'm'));
		}
		expect(compose).toMatch(/EXECUTIONS_MODE: queue/);
		expect(compose).toMatch(/command: \["worker"/);
		expect(compose).toMatch(/command: \["webhook"\]/);
		expect(compose).toMatch(/--appendonly", "yes"/);
	});

	it('places the node package where n8n loads community packages, as placeNodePackage does', () => {
		expect(compose).toContain('/home/node/.n8n/nodes');
		expect(compose).toContain('node_modules/n8n-nodes-skybot');
	});

	it('passes the hub only settings it reads, and every one billing needs once switched on', () => {
		const hubEnv = /^x-hub-env: &hub-env\n((?: {2}.*\n)+)/m.exec(compose)?.[1] ?? '';
		const names = [...hubEnv.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1]!);
		expect(names.length).toBeGreaterThan(10);
		const config = readFileSync(join(root, 'hub-api', 'src', 'config.ts'), 'utf8');
		// config.ts declares each setting as a key of its SETTINGS table.
		expect(names.filter((name) => !new RegExp(`^\\t${name}: \\{`, 'm').test(config))).toEqual([]);
		const billing = ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PRICE_PREMIUM_MONTHLY', 'STRIPE_PRICE_ULTRA_MONTHLY', 'STRIPE_PRICE_ULTRA_YEARLY'];
		expect(billing.filter((name) => !names.includes(name))).toEqual([]);
	});

	it('configures the hub with the architecture setting names and the paths the hub build produces', () => {
		for (const name of ['DATABASE_URL', 'REDIS_URL', 'PORT', 'JWT_SECRET', 'SKYBOT_WEBHOOK_SECRET', 'N8N_URL', 'N8N_API_KEY', 'LOG_LEVEL']) {
			expect(compose).toMatch(new RegExp(`^  ${name}: `, 'm'));
		}
		expect(compose).toContain('hub-api/dist/hub-api/src/main.js');
		expect(compose).toContain('hub-api/dist/hub-api/src/cli.js", "migrate"');
	});

	it('copies into the hub image every folder outside hub-api that the hub imports', () => {
		const hubSource = join(root, 'hub-api', 'src');
		const outside = new Set<string>();
		for (const file of readdirSync(hubSource, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'))) {
			const source = readFileSync(join(hubSource, file), 'utf8');
			for (const [, specifier] of source.matchAll(/from '(\.[^']+)'/g)) {
				const [top] = relative(root, resolve(dirname(join(hubSource, file)), specifier!)).split('/');
				if (top !== 'hub-api') outside.add(top!);
			}
		}
		expect([...outside].sort()).toEqual(expect.arrayContaining(['contracts', 'migrations', 'n8n-public-api']));
		const hubBuild = compose.slice(compose.indexOf('x-hub-build:'));
		for (const folder of outside) expect(hubBuild).toContain(`COPY ${folder} ${folder}`);
	});
});
