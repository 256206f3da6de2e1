import { z } from 'zod';
import { validationFailed } from './errors';

/**
 * The answer of a keyset-paginated list: the page's items under `key`, newest first, and the cursor to pass as
 * `cursor` for the next page (null on the last). Plain zod, so a module's schemas derive its page type from it and
 * its OpenAPI registration documents it with the item's registered component.
 */
export const cursorPage = <Key extends string, Item extends z.ZodType>(key: Key, item: Item) =>
	z.object({ [key]: z.array(item), nextCursor: z.string().nullable() } as Record<Key, z.ZodArray<Item>> & {
		nextCursor: z.ZodNullable<z.ZodString>;
	});

/**
 * Where a page ends in a list ordered newest first by an instant, ties broken by id: the next page holds the rows
 * strictly after it, `(at, id) < (position.at, position.id)`, so pages never overlap or skip a row.
 */
export interface KeysetPosition {
	at: Date;
	id: string;
}

/** Cursors are opaque to clients: base64url of "<at ISO>|<id>". */
export const encodeCursor = ({ at, id }: KeysetPosition): string =>
	Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');

/** The position a cursor of encodeCursor names; anything else is the client's mistake, a 422 on `query.cursor`. */
export function decodeCursor(cursor: string): KeysetPosition {
	const [instant, id] = Buffer.from(cursor, 'base64url').toString().split('|');
	const at = new Date(instant ?? '');
	if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(at.getTime())) {
		throw validationFailed([{ path: 'query.cursor', message: 'Not a cursor returned by this API', code: 'invalid_cursor' }]);
	}
	return { at, id };
}

/**
 * Reads one page: `read` gets the position after which to start (none on the first page) and one row more than
 * `limit`, which tells whether another page exists without a COUNT; `positionOf` places the page's last row for
 * the next cursor.
 */
export async function readCursorPage<Row>(
	query: { limit: number; cursor?: string },
	read: (after: KeysetPosition | undefined, limit: number) => Promise<Row[]>,
	positionOf: (row: Row) => KeysetPosition,
): Promise<{ rows: Row[]; nextCursor: string | null }> {
	const rows = await read(query.cursor ? decodeCursor(query.cursor) : undefined, query.limit + 1);
	const page = rows.slice(0, query.limit);
	const last = page.at(-1);
	return { rows: page, nextCursor: rows.length > query.limit && last ? encodeCursor(positionOf(last)) : null };
}
