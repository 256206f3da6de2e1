/**
 * Secrets at rest (secrets/secret-box.ts, secrets/reencrypt.ts): AES-256-GCM bound to table, column and row; the
 * keyring's rotation, and re-encryption of a column on a real PostgreSQL table.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createDataSource } from '../src/db/data-source';
import { loadConfig } from '../src/config';
import { reencryptColumn } from '../src/secrets/reencrypt';
import { parseKeyring, SecretBox, type SecretKey, SecretUnreadableError } from '../src/secrets/secret-box';
import { runHubCli } from './hub-process';
import { createTestDatabase, type TestDatabase } from './support';

const key = (id: string): SecretKey => ({ id, key: randomBytes(32) });
const place = { table: 'social_accounts', column: 'access_token', rowId: 'row-1' };

function problemOf(read: () => unknown): string {
	try {
		read();
	} catch (error) {
		expect(error).toBeInstanceOf(SecretUnreadableError);
		return (error as SecretUnreadableError).problem;
	}
	throw new Error('decrypted');
}

describe('SecretBox', () => {
	const k1 = key('k1');
	const box = new SecretBox([k1]);

	it('round-trips, with a fresh IV per value and no plaintext in what is stored', () => {
		const first = box.encrypt('EAAG-secret-token', place);
		const second = box.encrypt('EAAG-secret-token', place);
		expect(first).not.toBe(second);
		expect(first).toMatch(/^v1\.k1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
		expect(first).not.toContain('EAAG');
		expect(box.decrypt(first, place)).toBe('EAAG-secret-token');
		expect(box.decrypt(box.encrypt('', place), place)).toBe('');
	});

	it('refuses a tampered value, whichever part was changed', () => {
		const stored = box.encrypt('token', place);
		const parts = stored.split('.');
		for (const index of [2, 3, 4]) {
			const changed = [...parts];
			const bytes = Buffer.from(changed[index]!, 'base64url');
			bytes[0] = bytes[0]! ^ 1;
			changed[index] = bytes.toString('base64url');
			expect(problemOf(() => box.decrypt(changed.join('.'), place))).toBe('not_authentic');
		}
		expect(problemOf(() => box.decrypt('plain-text-token', place))).toBe('malformed');
		expect(problemOf(() => box.decrypt(`${stored}.extra`, place))).toBe('malformed');
	});

	it('binds each value to its row and column: a ciphertext copied elsewhere does not decrypt', () => {
		const stored = box.encrypt('token', place);
		expect(problemOf(() => box.decrypt(stored, { ...place, rowId: 'row-2' }))).toBe('not_authentic');
		expect(problemOf(() => box.decrypt(stored, { ...place, column: 'refresh_token' }))).toBe('not_authentic');
		expect(problemOf(() => box.decrypt(stored, { ...place, table: 'integrations' }))).toBe('not_authentic');
	});

	it('says which key is missing or wrong, and never the value', () => {
		const stored = new SecretBox([key('k9')]).encrypt('the-token-value', place);
		const unknown = (() => {
			try {
				box.decrypt(stored, place);
			} catch (error) {
				return error as SecretUnreadableError;
			}
		})()!;
		expect(unknown.problem).toBe('unknown_key');
		expect(unknown.message).toContain('"k9"');
		expect(unknown.message).not.toContain('the-token-value');
		// Same id, another key: not authentic.
		const impostor = new SecretBox([{ id: 'k1', key: randomBytes(32) }]);
		expect(problemOf(() => impostor.decrypt(box.encrypt('x', place), place))).toBe('not_authentic');
	});

	it('rotates: the first key encrypts, every key decrypts', () => {
		const k2 = key('k2');
		const oldValue = box.encrypt('old', place);
		const rotated = new SecretBox([k2, k1]);
		const newValue = rotated.encrypt('new', place);
		expect(rotated.decrypt(oldValue, place)).toBe('old');
		expect(rotated.decrypt(newValue, place)).toBe('new');
		expect([rotated.isCurrent(oldValue), rotated.isCurrent(newValue)]).toEqual([false, true]);
		expect(problemOf(() => box.decrypt(newValue, place))).toBe('unknown_key');
	});
});

describe('the keyring settings', () => {
	const base64 = randomBytes(32).toString('base64');
	it('reads ENCRYPTION_KEY as the key "primary", ENCRYPTION_KEYS as an ordered keyring (which wins)', () => {
		expect(parseKeyring({ key: base64 })).toEqual([{ id: 'primary', key: Buffer.from(base64, 'base64') }]);
		const other = randomBytes(32).toString('base64url');
		expect(parseKeyring({ keys: `k2:${other}, k1:${base64}`, key: base64 })!.map(({ id }) => id)).toEqual(['k2', 'k1']);
		expect(parseKeyring({})).toBeNull();
	});

	it.each([
		[{ key: randomBytes(16).toString('base64') }, 'ENCRYPTION_KEY must be 32 bytes in base64'],
		[{ key: 'not base64 at all !!' }, 'ENCRYPTION_KEY must be 32 bytes in base64'],
		[{ keys: `:${base64}` }, 'ENCRYPTION_KEYS entry 1 must be <id>:<base64 key>'],
		[{ keys: `k1:${base64},k2:short` }, 'ENCRYPTION_KEYS key "k2" must be 32 bytes'],
	])('refuses %j, naming the problem and never the key', (setting, message) => {
		expect(() => parseKeyring(setting)).toThrow(message);
	});

	it('is a configuration error at start-up, without the value in the message', () => {
		const secret = 'c2hvcnQta2V5';
		expect(() =>
			loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x', JWT_SECRET: 'j'.repeat(40), ENCRYPTION_KEY: secret }),
		).toThrow(/^Configuration error: ENCRYPTION_KEY must be 32 bytes in base64/);
		try {
			loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x', JWT_SECRET: 'j'.repeat(40), ENCRYPTION_KEY: secret });
		} catch (error) {
			expect((error as Error).message).not.toContain(secret);
		}
	});
});

describe('reencryptColumn (real PostgreSQL)', () => {
	let database: TestDatabase;
	beforeAll(async () => {
		database = await createTestDatabase();
	});
	afterAll(() => database?.drop());

	it('moves old and new values mixed to the current key, in batches, resumable, leaving each readable', async () => {
		const dataSource = createDataSource(database.url);
		await dataSource.initialize();
		try {
			await dataSource.query('CREATE TABLE vault (id uuid PRIMARY KEY, token text)');
			const [k1, k2] = [key('k1'), key('k2')];
			const before = new SecretBox([k1]);
			const after = new SecretBox([k2, k1]);
			const at = (id: string) => ({ table: 'vault', column: 'token', rowId: id });
			const rows = Array.from({ length: 7 }, (_, index) => ({ id: randomUUID(), plain: `token-${index}` }));
			for (const [index, row] of rows.entries()) {
				// Mixed: some already under the new key, one row without a token.
				const value = index === 6 ? null : (index % 3 === 0 ? after : before).encrypt(row.plain, at(row.id));
				await dataSource.query('INSERT INTO vault (id, token) VALUES ($1, $2)', [row.id, value]);
			}
			const batches: number[] = [];
			const first = await reencryptColumn(dataSource, after, { table: 'vault', idColumn: 'id', column: 'token' }, {
				batchSize: 2,
				onBatch: (progress) => batches.push(progress.reencrypted + progress.current),
			});
			expect(first).toMatchObject({ reencrypted: 4, current: 2 });
			expect(batches).toEqual([2, 4, 6]);
			const stored = (await dataSource.query('SELECT id::text AS id, token FROM vault')) as { id: string; token: string | null }[];
			for (const row of stored) {
				if (row.token === null) continue;
				expect(after.isCurrent(row.token)).toBe(true);
				expect(new SecretBox([k2]).decrypt(row.token, at(row.id))).toBe(rows.find((r) => r.id === row.id)!.plain);
			}
			// Resumed past the fourth row (as after an interruption), it reads only the rows after it.
			const sortedIds = stored.map((row) => row.id).sort();
			const resumed = await reencryptColumn(dataSource, after, { table: 'vault', idColumn: 'id', column: 'token' }, { after: sortedIds[3] });
			const afterFourth = stored.filter((row) => row.id > sortedIds[3]! && row.token !== null).length;
			expect(resumed).toMatchObject({ reencrypted: 0, current: afterFourth });
			// Again: nothing left to move.
			expect(await reencryptColumn(dataSource, after, { table: 'vault', idColumn: 'id', column: 'token' })).toMatchObject({
				reencrypted: 0,
				current: 6,
			});
		} finally {
			await dataSource.destroy();
		}
	});

	it('stops at a value it cannot read, naming the row, and changes nothing of it', async () => {
		const dataSource = createDataSource(database.url);
		await dataSource.initialize();
		try {
			await dataSource.query('CREATE TABLE vault_swapped (id uuid PRIMARY KEY, token text)');
			const k1 = key('k1');
			const box = new SecretBox([k1]);
			const [a, b] = [randomUUID(), randomUUID()].sort();
			// Row b holds row a's ciphertext: copied, so it must not decrypt.
			const aValue = box.encrypt('a-token', { table: 'vault_swapped', column: 'token', rowId: a! });
			await dataSource.query('INSERT INTO vault_swapped VALUES ($1, $2), ($3, $2)', [a, aValue, b]);
			const rotated = new SecretBox([key('k2'), k1]);
			await expect(reencryptColumn(dataSource, rotated, { table: 'vault_swapped', idColumn: 'id', column: 'token' })).rejects.toThrow(
				new RegExp(`row ${b}.*moved from another row`),
			);
			const [{ token }] = await dataSource.query('SELECT token FROM vault_swapped WHERE id = $1', [b]);
			expect(token).toBe(aValue);
		} finally {
			await dataSource.destroy();
		}
	});

	it('refuses a column name that is not a plain identifier', async () => {
		const dataSource = createDataSource(database.url);
		await dataSource.initialize();
		try {
			await expect(
				reencryptColumn(dataSource, new SecretBox([key('k1')]), { table: 'vault; DROP TABLE x', idColumn: 'id', column: 'token' }),
			).rejects.toThrow('is not a plain SQL identifier');
		} finally {
			await dataSource.destroy();
		}
	});
});

describe('cli reencrypt-secrets', () => {
	it('needs a keyring, and with one moves the social accounts\' tokens to the first key', async () => {
		const database = await createTestDatabase();
		const dataSource = createDataSource(database.url);
		await dataSource.initialize();
		try {
			const k1 = key('k1');
			const k2 = key('k2');
			const [account] = (await dataSource.query(`INSERT INTO accounts (name) VALUES ('tenant') RETURNING id`)) as { id: string }[];
			const id = randomUUID();
			const at = (column: string) => ({ table: 'social_accounts', column, rowId: id });
			const old = new SecretBox([k1]);
			await dataSource.query(
				`INSERT INTO social_accounts (id, account_id, provider, external_id, access_token, refresh_token)
				VALUES ($1, $2, 'tiktok', '-000123', $3, $4)`,
				[id, account!.id, old.encrypt('act.old', at('access_token')), old.encrypt('rft.old', at('refresh_token'))],
			);
			const env = { PATH: process.env.PATH, DATABASE_URL: database.url };
			const without = await runHubCli(['reencrypt-secrets'], env);
			expect(without.code).toBe(1);
			expect(without.stderr).toContain('ENCRYPTION_KEYS or ENCRYPTION_KEY is required');

			const withKeys = await runHubCli(['reencrypt-secrets'], {
				...env,
				ENCRYPTION_KEYS: [k2, k1].map(({ id: keyId, key: bytes }) => `${keyId}:${bytes.toString('base64')}`).join(','),
			});
			expect(withKeys.code).toBe(0);
			expect(withKeys.stderr).toContain('social_accounts.access_token: 1 re-encrypted, 0 already current');
			const report = JSON.parse(withKeys.stdout) as { keyId: string; columns: { table: string; column: string; reencrypted: number }[] };
			expect(report.keyId).toBe('k2');
			expect(report.columns.map(({ table, column, reencrypted }) => [`${table}.${column}`, reencrypted])).toEqual([
				['social_accounts.access_token', 1],
				['social_accounts.refresh_token', 1],
				['provider_accounts.access_token', 0],
			]);
			const [row] = (await dataSource.query(`SELECT access_token, refresh_token FROM social_accounts WHERE id = $1`, [id])) as {
				access_token: string;
				refresh_token: string;
			}[];
			const current = new SecretBox([k2]);
			expect(current.decrypt(row!.access_token, at('access_token'))).toBe('act.old');
			expect(current.decrypt(row!.refresh_token, at('refresh_token'))).toBe('rft.old');
		} finally {
			await dataSource.destroy();
			await database.drop();
		}
	});
});
