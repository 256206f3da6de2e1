import { decodeCursor, encodeCursor, type KeysetPosition, readCursorPage } from '../src/cursor-page';
import { HubError } from '../src/errors';

const ID = '0b6f3c1e-5d2a-4f8e-9c7b-1a2b3c4d5e6f';
const AT = new Date('2026-03-10T09:00:00.123Z');
const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** The 422 every malformed cursor gets, on both paginated lists (interactions, leads). */
function expectInvalidCursor(decode: () => unknown): void {
	let thrown: unknown;
	try {
		decode();
	} catch (error) {
		thrown = error;
	}
	expect(thrown).toBeInstanceOf(HubError);
	expect(thrown).toMatchObject({
		status: 422,
		code: 'validation_failed',
		details: [{ path: 'query.cursor', message: 'Not a cursor returned by this API', code: 'invalid_cursor' }],
	});
}

describe('cursors', () => {
	it('give back the position they were made from, to the millisecond, as opaque base64url', () => {
		const cursor = encodeCursor({ at: AT, id: ID });
		expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
		expect(cursor).not.toContain(ID);
		expect(decodeCursor(cursor)).toEqual({ at: AT, id: ID });
	});

	it.each([
		['not base64url of anything', 'garbage'],
		['an instant without an id', base64url(AT.toISOString())],
		['an id that is not a uuid', base64url(`${AT.toISOString()}|42`)],
		['a date that is not one', base64url(`yesterday|${ID}`)],
		['an empty id', base64url(`${AT.toISOString()}|`)],
	])('answer 422 invalid_cursor for %s', (_case, cursor) => {
		expectInvalidCursor(() => decodeCursor(cursor));
	});
});

describe('readCursorPage', () => {
	const rows = ['a', 'b', 'c'].map((name, index) => ({ name, at: new Date(AT.getTime() - index * 1000), id: ID }));
	type Row = (typeof rows)[number];
	const positionOf = (row: Row): KeysetPosition => ({ at: row.at, id: row.id });

	it('reads one row more than the limit, and names the last row of the page in the next cursor', async () => {
		const read = jest.fn(async (_after: KeysetPosition | undefined, limit: number) => rows.slice(0, limit));
		const page = await readCursorPage({ limit: 2 }, read, positionOf);
		expect(read).toHaveBeenCalledWith(undefined, 3);
		expect(page.rows.map((row) => row.name)).toEqual(['a', 'b']);
		expect(decodeCursor(page.nextCursor!)).toEqual({ at: rows[1]!.at, id: ID });
	});

	it('passes the position of the cursor on, and gives no cursor on the last page', async () => {
		const read = jest.fn(async () => rows.slice(2));
		const page = await readCursorPage({ limit: 2, cursor: encodeCursor(positionOf(rows[1]!)) }, read, positionOf);
		expect(read).toHaveBeenCalledWith({ at: rows[1]!.at, id: ID }, 3);
		expect(page).toEqual({ rows: [rows[2]], nextCursor: null });
	});

	it('gives no cursor when the last page is exactly full', async () => {
		const page = await readCursorPage({ limit: 3 }, async () => rows, positionOf);
		expect(page.nextCursor).toBeNull();
	});

	it('refuses a malformed cursor before reading anything', async () => {
		const read = jest.fn(async () => rows);
		await expect(readCursorPage({ limit: 2, cursor: 'garbage' }, read, positionOf)).rejects.toMatchObject({
			status: 422,
			details: [{ path: 'query.cursor', code: 'invalid_cursor' }],
		});
		expect(read).not.toHaveBeenCalled();
	});
});
