import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { installN8nRuntime, n8nRuntimeDir } from '../../../scripts/n8n-runtime/runtime.ts';

// installN8nRuntime against a stand-in npm (the real install is 2.8 GB; the e2e suite and `npm start` exercise it).
// The stand-in records its calls and lays out node_modules/n8n like npm would. Its settings travel in the `env`
// option: Jest gives each test file its own copy of process.env, which child processes never see.
const FAKE_NPM = `#!/bin/sh
echo "$*" >> "$FAKE_NPM_LOG"
if [ "$1" = ci ] && [ -n "$FAKE_NPM_CI_OUT_OF_SYNC" ]; then
  echo "npm error \\\`npm ci\\\` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync." >&2
  exit 1
fi
if [ -n "$FAKE_NPM_FAIL" ]; then echo "npm error network down" >&2; exit 1; fi
mkdir -p node_modules/n8n
echo "{\\"version\\":\\"$FAKE_N8N_VERSION\\"}" > node_modules/n8n/package.json
echo "added 2360 packages"
`;

let scratch: string;
let repoRoot: string;
let npmLog: string;
let fakeNpmEnv: Record<string, string>;
const env = () => ({ ...process.env, SKYBOT_CACHE_DIR: join(scratch, 'cache'), FAKE_NPM_LOG: npmLog, ...fakeNpmEnv });
const progress: string[] = [];
const install = () =>
	installN8nRuntime({
		repoRoot,
		env: env(),
		npmCommand: join(scratch, 'bin', 'npm'),
		onProgress: (line) => progress.push(line),
	});
const npmCalls = () => (existsSync(npmLog) ? readFileSync(npmLog, 'utf8').trim().split('\n') : []);

beforeEach(() => {
	scratch = mkdtempSync(join(tmpdir(), 'skybot-install-'));
	repoRoot = join(scratch, 'repo');
	mkdirSync(join(repoRoot, 'n8n-runtime'), { recursive: true });
	writeFileSync(join(repoRoot, 'n8n-runtime', 'package.json'), '{"dependencies":{"n8n":"2.40.7"}}');
	writeFileSync(join(repoRoot, 'n8n-runtime', 'package-lock.json'), '{"lockfileVersion":3}');
	mkdirSync(join(scratch, 'bin'));
	writeFileSync(join(scratch, 'bin', 'npm'), FAKE_NPM);
	chmodSync(join(scratch, 'bin', 'npm'), 0o755);
	npmLog = join(scratch, 'npm.log');
	fakeNpmEnv = { FAKE_N8N_VERSION: '2.40.7' };
	progress.length = 0;
});

afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('installN8nRuntime', () => {
	it('installs with npm ci into the hashed cache directory, then returns at once without npm', async () => {
		const first = await install();
		const dir = n8nRuntimeDir({ repoRoot, env: env() });
		expect(first).toEqual({ dir, binary: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), alreadyInstalled: false });
		expect(npmCalls()).toEqual(['ci --ignore-scripts --no-audit --no-fund --loglevel=error']);
		expect(readdirSync(join(scratch, 'cache', 'n8n-runtime'))).toEqual([dir.split('/').pop()]);
		expect(readFileSync(join(dir, 'package-lock.json'), 'utf8')).toBe('{"lockfileVersion":3}');
		expect(progress[0]).toMatch(/Installing n8n 2\.40\.7 .* about 5 minutes and 2\.8 GB/);
		expect(progress).toContain('  npm: added 2360 packages');

		expect(await install()).toEqual({ ...first, alreadyInstalled: true });
		expect(npmCalls()).toHaveLength(1);
	});

	it('falls back to npm install with the same lockfile when npm ci calls it out of sync', async () => {
		fakeNpmEnv.FAKE_NPM_CI_OUT_OF_SYNC = '1';
		const runtime = await install();
		expect(runtime.alreadyInstalled).toBe(false);
		expect(npmCalls()).toEqual(['ci --ignore-scripts --no-audit --no-fund --loglevel=error', 'install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error']);
		expect(progress.some((line) => line.includes('installing the same locked versions with `npm install`'))).toBe(true);
	});

	it('fails without leaving anything that looks installed when npm fails', async () => {
		fakeNpmEnv.FAKE_NPM_FAIL = '1';
		await expect(install()).rejects.toThrow(/`npm ci` in .*\.partial failed/);
		expect(readdirSync(join(scratch, 'cache', 'n8n-runtime'))).toEqual([]);
	});

	it('refuses an install whose n8n is not the pinned version', async () => {
		fakeNpmEnv.FAKE_N8N_VERSION = '2.41.0';
		await expect(install()).rejects.toThrow('npm installed n8n 2.41.0 in');
		expect(readdirSync(join(scratch, 'cache', 'n8n-runtime'))).toEqual([]);
	});

	it('starts over when a previous install died half-way', async () => {
		const partial = `${n8nRuntimeDir({ repoRoot, env: env() })}.partial`;
		mkdirSync(join(partial, 'node_modules', 'half'), { recursive: true });
		writeFileSync(join(partial, '.installer-pid'), '999999999'); // no such process
		const runtime = await install();
		expect(existsSync(partial)).toBe(false);
		expect(existsSync(join(runtime.dir, 'node_modules', 'half'))).toBe(false);
		expect(existsSync(join(runtime.dir, '.installer-pid'))).toBe(false);
	});

	it('lets concurrent callers share one install', async () => {
		const [a, b] = await Promise.all([install(), install()]);
		expect(a.dir).toBe(b.dir);
		expect(npmCalls()).toHaveLength(1);
	});
});
