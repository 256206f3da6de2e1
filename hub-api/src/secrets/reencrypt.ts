import type { DataSource } from 'typeorm';
import { type SecretBox, SecretUnreadableError } from './secret-box';

/** A column holding SecretBox values, keyed by an id column walked in byte order of its text (uuid). */
export interface EncryptedColumn {
	table: string;
	idColumn: string;
	column: string;
}

/**
 * Every column of the hub that holds secrets (social accounts' OAuth tokens, Meta page tokens); issue 13's CRM
 * destinations add theirs here. `reencrypt-secrets` moves each to the current key.
 */
export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
	{ table: 'social_accounts', idColumn: 'id', column: 'access_token' },
	{ table: 'social_accounts', idColumn: 'id', column: 'refresh_token' },
	{ table: 'provider_accounts', idColumn: 'id', column: 'access_token' },
];

export interface ReencryptProgress {
	table: string;
	column: string;
	/** Values moved to the current key so far, and values already under it. */
	reencrypted: number;
	current: number;
	/** The last row id done: run again with `after` to resume from there. */
	lastId: string | null;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Re-encrypts one column under the keyring's current key, in batches of `batchSize` rows by id. Each row is updated
 * only if it still holds the value read (a concurrent write wins), so it can run while the hub serves. Resumable: it
 * skips rows already under the current key, and `after` starts past a row id. A value that cannot be decrypted stops
 * the run with SecretUnreadableError (naming the row, never the value): nothing is guessed or overwritten.
 */
export async function reencryptColumn(
	dataSource: DataSource,
	box: SecretBox,
	target: EncryptedColumn,
	options: { batchSize?: number; after?: string | null; onBatch?: (progress: ReencryptProgress) => void } = {},
): Promise<ReencryptProgress> {
	for (const name of [target.table, target.idColumn, target.column]) {
		if (!IDENTIFIER.test(name)) throw new Error(`"${name}" is not a plain SQL identifier`);
	}
	const { table, idColumn, column } = target;
	const batchSize = options.batchSize ?? 500;
	const progress: ReencryptProgress = { table, column, reencrypted: 0, current: 0, lastId: options.after ?? null };
	for (;;) {
		const rows = (await dataSource.query(
			`SELECT ${idColumn}::text AS id, ${column} AS value FROM ${table}
			WHERE ${column} IS NOT NULL AND ($1::text IS NULL OR ${idColumn}::text COLLATE "C" > $1)
			ORDER BY ${idColumn}::text COLLATE "C" LIMIT $2`,
			[progress.lastId, batchSize],
		)) as { id: string; value: string }[];
		if (rows.length === 0) return progress;
		for (const row of rows) {
			if (box.isCurrent(row.value)) {
				progress.current += 1;
				continue;
			}
			const place = { table, column, rowId: row.id };
			const moved = box.encrypt(box.decrypt(row.value, place), place);
			await dataSource.query(`UPDATE ${table} SET ${column} = $1 WHERE ${idColumn}::text = $2 AND ${column} = $3`, [
				moved,
				row.id,
				row.value,
			]);
			progress.reencrypted += 1;
		}
		progress.lastId = rows.at(-1)!.id;
		options.onBatch?.({ ...progress });
	}
}

export { SecretUnreadableError };
