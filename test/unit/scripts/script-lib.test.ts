import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sha256OfFiles } from '../../../scripts/lib/hash.ts';
import { INSTALL_HASH_FILE, installStatus, recordInstall } from '../../../scripts/lib/install-check.ts';
import { findRepoRoot, skybotCacheDir } from '../../../scripts/lib/paths.ts';
import { formatPostgresUrl, parsePostgresUrl } from '../../../scripts/lib/postgres.ts';
import { createLineSplitter } from '../../../scripts/lib/processes.ts';
import { StateFileError, readStateFile, updateStateFile, writeStateFile } from '../../../scripts/lib/state-file.ts';
import { n8nRuntimeDir, n8nRuntimeHash } from '../../../scripts/n8n-runtime/runtime.ts';
import { ensureEncryptionKey, postgresEnv, queueRedisEnv } from '../../../scripts/n8n-runtime/server.ts';

let scratch: string;
beforeEach(() => {
	scratch = mkdtempSync(join(tmpdir(), 'skybot-scripts-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('n8n runtime directory', () => {
	it('hashes package.json then package-lock.json like `cat package.json package-lock.json | sha256sum`', () => {
		const manifestDir = join(findRepoRoot(), 'n8n-runtime');
		const shell = execFileSync('sh', ['-c', 'cat package.json package-lock.json | sha256sum'], { cwd: manifestDir })
			.toString()
			.slice(0, 12);
		expect(n8nRuntimeHash(manifestDir)).toBe(shell);
	});

	it('changes directory when a pinned version changes', () => {
		writeFileSync(join(scratch, 'package.json'), '{"dependencies":{"n8n":"2.40.7"}}');
		writeFileSync(join(scratch, 'package-lock.json'), '{}');
		const before = n8nRuntimeHash(scratch);
		writeFileSync(join(scratch, 'package.json'), '{"dependencies":{"n8n":"2.40.8"}}');
		expect(n8nRuntimeHash(scratch)).not.toBe(before);
		expect(before).toMatch(/^[0-9a-f]{12}$/);
	});

	it('lives under SKYBOT_CACHE_DIR, else XDG_CACHE_HOME/skybot-hub', () => {
		const hash = n8nRuntimeHash(join(findRepoRoot(), 'n8n-runtime'));
		expect(n8nRuntimeDir({ env: { SKYBOT_CACHE_DIR: '/c/s' } })).toBe(`/c/s/n8n-runtime/${hash}`);
		expect(n8nRuntimeDir({ env: { XDG_CACHE_HOME: '/x' } })).toBe(`/x/skybot-hub/n8n-runtime/${hash}`);
		expect(skybotCacheDir({ SKYBOT_CACHE_DIR: '/c/s', XDG_CACHE_HOME: '/x' })).toBe('/c/s');
	});
});

describe('findRepoRoot', () => {
	it('finds the repository from a folder inside it', () => {
		const root = findRepoRoot();
		expect(findRepoRoot(join(root, 'scripts', 'lib'))).toBe(root);
	});

	it('says so when there is no repository above', () => {
		expect(() => findRepoRoot(scratch)).toThrow(/Cannot find the SkyBot Hub repository/);
	});
});

describe('state file', () => {
	it('reads a missing file as empty state', () => {
		expect(readStateFile(join(scratch, 'none.json'))).toEqual({});
	});

	it('writes owner-only, leaves no temporary file and reads back what it wrote', () => {
		const file = join(scratch, 'nested', 'state.json');
		writeStateFile(file, { apiKey: 'k' });
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(readdirSync(join(scratch, 'nested'))).toEqual(['state.json']);
		expect(readStateFile(file)).toEqual({ apiKey: 'k' });
	});

	it('merges updates into what is stored', () => {
		const file = join(scratch, 'state.json');
		updateStateFile(file, { a: 1 });
		expect(updateStateFile(file, { b: 2 })).toEqual({ a: 1, b: 2 });
		expect(readStateFile(file)).toEqual({ a: 1, b: 2 });
	});

	it.each([
		['{ broken', /unreadable/],
		['[1, 2]', /not a JSON object/],
		['null', /not a JSON object/],
	])('refuses a corrupt file (%s) instead of silently starting over', (content, reason) => {
		const file = join(scratch, 'state.json');
		writeFileSync(file, content);
		expect(() => readStateFile(file)).toThrow(StateFileError);
		expect(() => readStateFile(file)).toThrow(reason);
		expect(() => readStateFile(file)).toThrow(file);
	});
});

describe('ensureEncryptionKey', () => {
	it('generates a key once and returns the same one afterwards', () => {
		const key = ensureEncryptionKey(scratch);
		expect(key.length).toBeGreaterThanOrEqual(32);
		expect(ensureEncryptionKey(scratch)).toBe(key);
	});

	it('adopts the key n8n already wrote in .n8n/config so existing credentials stay readable', () => {
		mkdirSync(join(scratch, '.n8n'));
		writeFileSync(join(scratch, '.n8n', 'config'), JSON.stringify({ encryptionKey: 'from-n8n' }));
		expect(ensureEncryptionKey(scratch)).toBe('from-n8n');
	});
});

describe('connection settings', () => {
	it('turns a DATABASE_URL into n8n DB_POSTGRESDB_* variables', () => {
		const target = parsePostgresUrl('postgresql://app:p%40ss@db.internal:6543/skybot');
		expect(target).toEqual({ host: 'db.internal', port: 6543, user: 'app', password: 'p@ss', database: 'skybot' });
		expect(postgresEnv({ ...target, database: 'skybot_n8n' })).toEqual({
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: 'db.internal',
			DB_POSTGRESDB_PORT: '6543',
			DB_POSTGRESDB_USER: 'app',
			DB_POSTGRESDB_PASSWORD: 'p@ss',
			DB_POSTGRESDB_DATABASE: 'skybot_n8n',
		});
		expect(parsePostgresUrl(formatPostgresUrl(target))).toEqual(target);
	});

	it.each([
		['not a url', /DATABASE_URL is not a valid URL/],
		['mysql://u@h/db', /DATABASE_URL must start with postgres:\/\//],
		['postgres://u@h:5432/', /DATABASE_URL names no database/],
	])('names the setting when DATABASE_URL is %s', (value, message) => {
		expect(() => parsePostgresUrl(value)).toThrow(message);
	});

	it('turns a REDIS_URL into QUEUE_BULL_REDIS_* variables', () => {
		expect(queueRedisEnv('redis://127.0.0.1:6379')).toEqual({
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: '6379',
			QUEUE_BULL_REDIS_DB: '0',
		});
		expect(queueRedisEnv('rediss://user:s%3Acret@cache:6380/2')).toEqual({
			QUEUE_BULL_REDIS_HOST: 'cache',
			QUEUE_BULL_REDIS_PORT: '6380',
			QUEUE_BULL_REDIS_DB: '2',
			QUEUE_BULL_REDIS_USERNAME: 'user',
			QUEUE_BULL_REDIS_PASSWORD: 's:cret',
			QUEUE_BULL_REDIS_TLS: 'true',
		});
	});
});

describe('install check', () => {
	const project = (lock: string) => {
		writeFileSync(join(scratch, 'package-lock.json'), lock);
		return scratch;
	};

	it('needs an install when node_modules is missing', () => {
		expect(installStatus(project('{}'))).toMatchObject({ state: 'missing' });
	});

	it('is current after recording the lockfile, stale once the lockfile changes', () => {
		const root = project('{"v":1}');
		mkdirSync(join(root, 'node_modules'));
		recordInstall(root, sha256OfFiles([join(root, 'package-lock.json')]));
		expect(installStatus(root)).toMatchObject({ state: 'current' });
		writeFileSync(join(root, 'package-lock.json'), '{"v":2}');
		expect(installStatus(root)).toMatchObject({ state: 'stale', reason: expect.stringMatching(/changed/) });
		expect(existsSync(join(root, INSTALL_HASH_FILE))).toBe(true);
	});

	it('adopts a tree installed without the hook when npm recorded it after the lockfile was written', () => {
		const root = project('{}');
		mkdirSync(join(root, 'node_modules'));
		writeFileSync(join(root, 'node_modules', '.package-lock.json'), '{}');
		const past = new Date(Date.now() - 60_000);
		utimesSync(join(root, 'package-lock.json'), past, past);
		expect(installStatus(root)).toMatchObject({ state: 'current' });
		utimesSync(join(root, 'node_modules', '.package-lock.json'), new Date(0), new Date(0));
		expect(installStatus(root)).toMatchObject({ state: 'stale' });
	});
});

describe('createLineSplitter', () => {
	it('emits whole lines across chunk boundaries and flushes the last partial line at the end', () => {
		const lines: string[] = [];
		const splitter = createLineSplitter((line) => lines.push(line));
		splitter.push('first li');
		splitter.push('ne\r\nsecond\nthi');
		expect(lines).toEqual(['first line', 'second']);
		splitter.end();
		expect(lines).toEqual(['first line', 'second', 'thi']);
	});
});
