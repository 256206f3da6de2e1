/**
 * Fake Google Sheets API v4 (the values subset the hub's CRM sync calls), for spreadsheets the test adds:
 *   GET  /v4/spreadsheets/{id}                                 the spreadsheet's properties and sheets (titles, grid)
 *   GET  /v4/spreadsheets/{id}/values/{range}                  A1 ranges: `Leads!A:A`, `Leads!A2:F2`, `Leads!A2:F`,
 *                                                              `Leads!2:3`, `'My sheet'!A1`, `Leads` (whole sheet)
 *   PUT  /v4/spreadsheets/{id}/values/{range}                  update, `valueInputOption=RAW|USER_ENTERED` (required)
 *   POST /v4/spreadsheets/{id}/values/{range}:append           append after the table found in the range,
 *                                                              `insertDataOption=INSERT_ROWS|OVERWRITE`; answers
 *                                                              `{spreadsheetId, tableRange?, updates: {updatedRange, …}}`
 *   POST /v4/spreadsheets/{id}/values:batchUpdate              `{valueInputOption, data: [{range, values}]}`, all or none
 *
 * Point the real client at it with `sheets({ version: 'v4', auth, rootUrl: fake.rootUrl })` and an OAuth2 client whose
 * credentials carry an access token from `fake.addToken` (under Jest pass the OAuth2 client
 * `transporterOptions: { fetchImplementation: fetch }`).
 *
 * Auth: `Authorization: Bearer <access token>`; a token reads with any Sheets/Drive scope and writes with
 * `spreadsheets`, `drive` or `drive.file`. There is no version header: the version is the path's `/v4` (googleapis'
 * `x-goog-api-client` is recorded, not checked).
 *
 * Errors use Google's envelope `{error: {code, message, status, details?}}`: 401 UNAUTHENTICATED, 403
 * PERMISSION_DENIED (no access to the spreadsheet, or a read-only scope writing), 404 NOT_FOUND (unknown
 * spreadsheet), 400 INVALID_ARGUMENT ("Unable to parse range: …" for a bad range or an unknown sheet, values outside
 * the range, a missing valueInputOption; batchUpdate prefixes "Invalid data[i]: "), 429 RESOURCE_EXHAUSTED (Sheets'
 * 60 write requests per minute per user) with `Retry-After` — Google does not promise that header; it is this fake's
 * choice so the hub's honouring of it can be tested — and scripted 5xx.
 *
 * Cells hold strings, numbers and booleans. RAW stores what it is sent; USER_ENTERED turns "12" into 12, "TRUE" into
 * true and "'12" into the text "12"; formulas are stored as their text, not evaluated. Reads answer
 * FORMATTED_VALUE (every cell as text) unless `valueRenderOption=UNFORMATTED_VALUE|FORMULA`. In a write, `null`
 * leaves a cell as it is and "" clears it. The grid (1000 × 26 by default) grows when a write goes past it.
 *
 * What googleapis does by itself (gaxios 8, `retry: true` by default): GET and PUT are retried on 429/5xx and on a
 * lost answer (up to 3 times, 100 ms then 0.5 s then 1.5 s, ignoring Retry-After); POST (append, batchUpdate) never.
 */
import { randomBytes } from 'node:crypto';

import {
	bearerToken,
	FailureQueue,
	FakeHttpError,
	type FakeReply,
	type FakeServer,
	isPlainObject,
	mediaType,
	peakPerWindow,
	type RecordedRequest,
	startFakeServer,
} from './http-fake.ts';

export const SHEETS_SCOPES = {
	spreadsheets: 'https://www.googleapis.com/auth/spreadsheets',
	readonly: 'https://www.googleapis.com/auth/spreadsheets.readonly',
	drive: 'https://www.googleapis.com/auth/drive',
	driveFile: 'https://www.googleapis.com/auth/drive.file',
} as const;
const WRITE_SCOPES: string[] = [SHEETS_SCOPES.spreadsheets, SHEETS_SCOPES.drive, SHEETS_SCOPES.driveFile];
/** Sheets' documented per-user write quota. */
export const SHEETS_WRITES_PER_MINUTE = 60;
const DEFAULT_ROWS = 1000;
const DEFAULT_COLUMNS = 26;

export type CellValue = string | number | boolean;

export interface AddSpreadsheetInput {
	/** Generated (44 characters like Google's) when omitted. */
	id?: string;
	title?: string;
	/** Sheet title → its rows, top-left first (a header row is just the first row). */
	sheets: Record<string, CellValue[][]>;
}

export interface SheetsFailure {
	status: number;
	message?: string;
	/** Seconds, sent as Retry-After (429 default: 60). */
	retryAfter?: number;
}

export interface FakeGoogleSheetsOptions {
	/** Enforce a per-token write quota per minute (true: Sheets' 60). Default: off, the fake only counts. */
	writeQuotaPerMinute?: number | boolean;
	now?: () => number;
}

export interface FakeGoogleSheets extends FakeServer {
	/** `rootUrl` for googleapis (trailing slash). */
	rootUrl: string;
	/** An access token with these scopes (default: spreadsheets) reaching these spreadsheets (default: all). */
	addToken(token: string, options?: { scopes?: string[]; spreadsheets?: string[] }): void;
	/** Returns the spreadsheet's id. */
	addSpreadsheet(input: AddSpreadsheetInput): string;
	/** A sheet's rows as stored (trailing empty cells and rows trimmed); an empty cell is ''. */
	rows(spreadsheetId: string, sheet: string): CellValue[][];
	/** The next `count` calls (after auth, before validation) answer this error. */
	failNext(count: number, failure: SheetsFailure): void;
	/** The next `count` accepted writes are performed, then the connection closes unanswered. */
	dropAnswerAfterWriteNext(count?: number): void;
	/** Times (epoch ms) of every write request this token made (refused ones included). */
	writeTimes(token: string): number[];
	/** The most write requests this token made within any one minute (sliding window). */
	peakWritesPerMinute(token: string): number;
}

interface StoredSheet {
	sheetId: number;
	title: string;
	rowCount: number;
	columnCount: number;
	/** rows[r][c], 0-based; undefined = empty. */
	cells: (CellValue | undefined)[][];
}

interface StoredSpreadsheet {
	id: string;
	title: string;
	sheets: StoredSheet[];
}

interface TokenGrant {
	scopes: string[];
	spreadsheets?: string[];
}

/** A parsed A1 range: 1-based, inclusive; Infinity for an open end. */
interface GridRange {
	sheet: StoredSheet;
	r1: number;
	c1: number;
	r2: number;
	c2: number;
}

const STATUS: Record<number, string> = {
	400: 'INVALID_ARGUMENT',
	401: 'UNAUTHENTICATED',
	403: 'PERMISSION_DENIED',
	404: 'NOT_FOUND',
	409: 'ABORTED',
	429: 'RESOURCE_EXHAUSTED',
	500: 'INTERNAL',
	502: 'UNAVAILABLE',
	503: 'UNAVAILABLE',
	504: 'DEADLINE_EXCEEDED',
};

export function sheetsError(code: number, message: string, extra: { details?: unknown[]; headers?: Record<string, string> } = {}): FakeHttpError {
	return new FakeHttpError(
		code,
		{ error: { code, message, status: STATUS[code] ?? 'UNKNOWN', ...(extra.details ? { details: extra.details } : {}) } },
		extra.headers,
	);
}

const invalid = (message: string) => sheetsError(400, message);
const errorInfo = (reason: string, metadata: Record<string, string> = {}) => ({
	'@type': 'type.googleapis.com/google.rpc.ErrorInfo',
	reason,
	domain: 'googleapis.com',
	metadata: { service: 'sheets.googleapis.com', ...metadata },
});

/** 1 → A, 27 → AA. */
export function columnLetters(column: number): string {
	let letters = '';
	for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
	return letters;
}
function columnNumber(letters: string): number {
	let n = 0;
	for (const char of letters.toUpperCase()) n = n * 26 + (char.charCodeAt(0) - 64);
	return n;
}

/** A sheet title as Google writes it in a range: quoted unless plain letters/digits/underscore. */
function quoteTitle(title: string): string {
	return /^[A-Za-z0-9_]+$/.test(title) ? title : `'${title.replace(/'/g, "''")}'`;
}

function a1(range: { sheet: StoredSheet; r1: number; c1: number; r2: number; c2: number }): string {
	const start = `${columnLetters(range.c1)}${range.r1}`;
	const end = `${columnLetters(range.c2)}${range.r2}`;
	return `${quoteTitle(range.sheet.title)}!${start === end ? start : `${start}:${end}`}`;
}

const isEmpty = (value: CellValue | undefined) => value === undefined || value === '';

export async function startFakeGoogleSheets(options: FakeGoogleSheetsOptions = {}): Promise<FakeGoogleSheets> {
	const now = options.now ?? Date.now;
	const quota = options.writeQuotaPerMinute === true ? SHEETS_WRITES_PER_MINUTE : options.writeQuotaPerMinute || undefined;
	const spreadsheets = new Map<string, StoredSpreadsheet>();
	const tokens = new Map<string, TokenGrant>();
	const writes = new Map<string, number[]>();
	/** Writes the quota let through, per token (refused ones do not use up the quota). */
	const allowed = new Map<string, number[]>();
	const failures = new FailureQueue<SheetsFailure>();
	let drops = 0;
	let nextSheetId = 0;

	const parseRange = (spreadsheet: StoredSpreadsheet, text: string): GridRange => {
		const refuse = () => invalid(`Unable to parse range: ${text}`);
		let sheetPart: string | undefined;
		let cellPart: string | undefined;
		const quoted = /^'((?:[^']|'')+)'(?:!(.*))?$/.exec(text);
		if (quoted) {
			sheetPart = quoted[1]!.replace(/''/g, "'");
			cellPart = quoted[2];
		} else if (text.includes('!')) {
			const bang = text.lastIndexOf('!');
			sheetPart = text.slice(0, bang);
			cellPart = text.slice(bang + 1);
		} else if (spreadsheet.sheets.some((sheet) => sheet.title === text)) {
			sheetPart = text;
		} else {
			cellPart = text;
		}
		const sheet = sheetPart === undefined ? spreadsheet.sheets[0] : spreadsheet.sheets.find((candidate) => candidate.title === sheetPart);
		if (!sheet) throw refuse();
		if (cellPart === undefined) return { sheet, r1: 1, c1: 1, r2: Infinity, c2: Infinity };
		const match = /^([A-Za-z]{0,3})(\d*)(?::([A-Za-z]{0,3})(\d*))?$/.exec(cellPart);
		if (!match) throw refuse();
		const [, startCol = '', startRow = '', endCol, endRow] = match;
		if (startCol === '' && startRow === '') throw refuse();
		if (endCol === undefined) {
			// A single cell needs both parts.
			if (startCol === '' || startRow === '') throw refuse();
			const r = Number(startRow);
			const c = columnNumber(startCol);
			if (r < 1) throw refuse();
			return { sheet, r1: r, c1: c, r2: r, c2: c };
		}
		if (endCol === '' && (endRow ?? '') === '') throw refuse();
		const r1 = startRow === '' ? 1 : Number(startRow);
		const c1 = startCol === '' ? 1 : columnNumber(startCol);
		const r2 = (endRow ?? '') === '' ? Infinity : Number(endRow);
		const c2 = endCol === '' ? Infinity : columnNumber(endCol);
		// A row range (2:3) has no columns on either side; a column range may not mix in a start row without a column.
		if ((startCol === '') !== (endCol === '') || r1 < 1 || r2 < r1 || c2 < c1) throw refuse();
		return { sheet, r1, c1, r2, c2 };
	};

	/** The range bounded by the grid, as Google echoes a requested range. */
	const bounded = (range: GridRange) => ({
		...range,
		r2: Math.min(range.r2, range.sheet.rowCount),
		c2: Math.min(range.c2, range.sheet.columnCount),
	});

	const authenticate = (request: RecordedRequest, spreadsheetId: string, write: boolean): string => {
		const token = bearerToken(request);
		if (!token) {
			throw sheetsError(
				401,
				'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
			);
		}
		const grant = tokens.get(token);
		if (!grant) {
			throw sheetsError(
				401,
				'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
				{ details: [errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED')] },
			);
		}
		if (write && !grant.scopes.some((scope) => WRITE_SCOPES.includes(scope))) {
			throw sheetsError(403, 'Request had insufficient authentication scopes.', {
				details: [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', { method: 'google.apps.sheets.v4.SpreadsheetsService.UpdateValues' })],
			});
		}
		if (grant.spreadsheets && !grant.spreadsheets.includes(spreadsheetId) && spreadsheets.has(spreadsheetId)) {
			throw sheetsError(403, 'The caller does not have permission');
		}
		return token;
	};

	const spreadsheetOf = (id: string): StoredSpreadsheet => {
		const found = spreadsheets.get(id);
		if (!found) throw sheetsError(404, 'Requested entity was not found.');
		return found;
	};

	const valueInputOption = (value: unknown): 'RAW' | 'USER_ENTERED' => {
		if (value === undefined || value === '') throw invalid("'valueInputOption' is required but not specified");
		if (value !== 'RAW' && value !== 'USER_ENTERED') {
			throw invalid(`Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "${String(value)}"`);
		}
		return value;
	};

	/** The body's values as rows of cells to write (null = leave the cell as it is). */
	const valuesOf = (body: Record<string, unknown>, input: 'RAW' | 'USER_ENTERED', prefix = ''): (CellValue | null)[][] => {
		const major = body.majorDimension ?? 'ROWS';
		if (major !== 'ROWS' && major !== 'COLUMNS') throw invalid(`${prefix}Invalid value at 'major_dimension', "${String(major)}"`);
		const values = body.values ?? [];
		if (!Array.isArray(values)) throw invalid(`${prefix}Invalid value at 'values' (type.googleapis.com/google.protobuf.ListValue)`);
		const rows = values.map((row, r) => {
			if (!Array.isArray(row)) throw invalid(`${prefix}Invalid values[${r}]: must be a list`);
			return row.map((cell: unknown, c) => {
				if (cell === null) return null;
				if (typeof cell === 'number' || typeof cell === 'boolean') return cell;
				if (typeof cell !== 'string') throw invalid(`${prefix}Invalid values[${r}][${c}]: ${Array.isArray(cell) ? 'list_value' : 'struct_value'}`);
				return input === 'RAW' ? cell : userEntered(cell);
			});
		});
		if (major === 'ROWS') return rows;
		const width = Math.max(0, ...rows.map((row) => row.length));
		return Array.from({ length: width }, (_, c) => rows.map((row) => (c < row.length ? row[c]! : null)));
	};

	/** Where `values` would land at (r1, c1), checked against `range`'s bounds (append passes an open range). */
	const placement = (range: GridRange, r1: number, values: (CellValue | null)[][], prefix = '') => {
		const width = Math.max(0, ...values.map((row) => row.length));
		const rangeText = a1({ ...range, r2: Number.isFinite(range.r2) ? range.r2 : range.r1, c2: Number.isFinite(range.c2) ? range.c2 : range.c1 });
		if (r1 + values.length - 1 > range.r2) {
			throw invalid(`${prefix}Requested writing within range [${rangeText}], but tried writing to row [${range.r2 + 1}]`);
		}
		if (range.c1 + width - 1 > range.c2) {
			throw invalid(`${prefix}Requested writing within range [${rangeText}], but tried writing to column [${columnLetters(range.c2 + 1)}]`);
		}
		return { r1, c1: range.c1, rows: values.length, width };
	};

	const writeCells = (sheet: StoredSheet, r1: number, c1: number, values: (CellValue | null)[][]) => {
		let updatedCells = 0;
		values.forEach((row, r) => {
			row.forEach((cell, c) => {
				if (cell === null) return;
				const rowIndex = r1 - 1 + r;
				const colIndex = c1 - 1 + c;
				const target = (sheet.cells[rowIndex] ??= []);
				target[colIndex] = cell === '' ? undefined : cell;
				updatedCells += 1;
			});
		});
		const width = Math.max(0, ...values.map((row) => row.length));
		sheet.rowCount = Math.max(sheet.rowCount, r1 - 1 + values.length);
		sheet.columnCount = Math.max(sheet.columnCount, c1 - 1 + width);
		return updatedCells;
	};

	const updateResponse = (spreadsheetId: string, sheet: StoredSheet, place: { r1: number; c1: number; rows: number; width: number }, updatedCells: number) =>
		place.rows === 0 || place.width === 0
			? { spreadsheetId }
			: {
					spreadsheetId,
					updatedRange: a1({ sheet, r1: place.r1, c1: place.c1, r2: place.r1 + place.rows - 1, c2: place.c1 + place.width - 1 }),
					updatedRows: place.rows,
					updatedColumns: place.width,
					updatedCells,
				};

	const jsonBody = (request: RecordedRequest): Record<string, unknown> => {
		if (mediaType(request) !== 'application/json' || !isPlainObject(request.json)) {
			throw invalid('Invalid JSON payload received. Unable to parse the request body as a JSON object.');
		}
		return request.json;
	};

	const checkBodyRange = (spreadsheet: StoredSpreadsheet, body: Record<string, unknown>, range: GridRange, urlRange: string) => {
		if (body.range === undefined) return;
		if (typeof body.range !== 'string') throw invalid('Invalid ValueRange range');
		const other = parseRange(spreadsheet, body.range);
		if (other.sheet !== range.sheet || other.r1 !== range.r1 || other.c1 !== range.c1 || other.r2 !== range.r2 || other.c2 !== range.c2) {
			throw invalid(`Requested range [${body.range}] does not match the URL range [${urlRange}]`);
		}
	};

	/** True when this accepted write's answer is to be lost (`dropAnswerAfterWriteNext`). */
	const dropThisAnswer = (): boolean => {
		if (drops === 0) return false;
		drops -= 1;
		return true;
	};

	// ---- endpoints ------------------------------------------------------------------------------------------------

	const getSpreadsheet = (spreadsheet: StoredSpreadsheet): FakeReply => ({
		status: 200,
		body: {
			spreadsheetId: spreadsheet.id,
			properties: { title: spreadsheet.title, locale: 'en_US', autoRecalc: 'ON_CHANGE', timeZone: 'Etc/GMT' },
			sheets: spreadsheet.sheets.map((sheet, index) => ({
				properties: { sheetId: sheet.sheetId, title: sheet.title, index, sheetType: 'GRID', gridProperties: { rowCount: sheet.rowCount, columnCount: sheet.columnCount } },
			})),
			spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${spreadsheet.id}/edit`,
		},
	});

	const getValues = (request: RecordedRequest, spreadsheet: StoredSpreadsheet, rangeText: string): FakeReply => {
		const range = parseRange(spreadsheet, rangeText);
		const { sheet } = range;
		if (range.r1 > sheet.rowCount || range.c1 > sheet.columnCount) {
			throw invalid(`Range (${a1({ ...range, r2: range.r1, c2: range.c1 })}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`);
		}
		const major = request.query.majorDimension ?? 'ROWS';
		if (major !== 'ROWS' && major !== 'COLUMNS') throw invalid(`Invalid value at 'major_dimension', "${major}"`);
		const render = request.query.valueRenderOption ?? 'FORMATTED_VALUE';
		if (!['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'].includes(render)) throw invalid(`Invalid value at 'value_render_option', "${render}"`);
		const box = bounded(range);
		const show = (value: CellValue | undefined): CellValue =>
			value === undefined ? '' : render !== 'FORMATTED_VALUE' ? value : typeof value === 'boolean' ? (value ? 'TRUE' : 'FALSE') : String(value);
		let rows: CellValue[][] = [];
		for (let r = box.r1; r <= box.r2; r += 1) {
			const row: CellValue[] = [];
			for (let c = box.c1; c <= box.c2; c += 1) row.push(show(sheet.cells[r - 1]?.[c - 1]));
			while (row.length > 0 && row.at(-1) === '') row.pop();
			rows.push(row);
		}
		while (rows.length > 0 && rows.at(-1)!.length === 0) rows.pop();
		if (major === 'COLUMNS') {
			const width = Math.max(0, ...rows.map((row) => row.length));
			rows = Array.from({ length: width }, (_, c) => rows.map((row) => row[c] ?? ''));
			for (const column of rows) while (column.length > 0 && column.at(-1) === '') column.pop();
		}
		return { status: 200, body: { range: a1(box), majorDimension: major, ...(rows.length > 0 ? { values: rows } : {}) } };
	};

	const updateValues = (request: RecordedRequest, spreadsheet: StoredSpreadsheet, rangeText: string): FakeReply => {
		const input = valueInputOption(request.query.valueInputOption);
		const body = jsonBody(request);
		const range = parseRange(spreadsheet, rangeText);
		checkBodyRange(spreadsheet, body, range, rangeText);
		const values = valuesOf(body, input);
		const place = placement(range, range.r1, values);
		const updatedCells = writeCells(range.sheet, place.r1, place.c1, values);
		return { dropAnswer: dropThisAnswer(), status: 200, body: updateResponse(spreadsheet.id, range.sheet, place, updatedCells) };
	};

	const appendValues = (request: RecordedRequest, spreadsheet: StoredSpreadsheet, rangeText: string): FakeReply => {
		const input = valueInputOption(request.query.valueInputOption);
		const insert = request.query.insertDataOption ?? 'OVERWRITE';
		if (insert !== 'OVERWRITE' && insert !== 'INSERT_ROWS') {
			throw invalid(`Invalid value at 'insert_data_option' (type.googleapis.com/google.apps.sheets.v4.ValuesAppendRequest.InsertDataOption), "${insert}"`);
		}
		const body = jsonBody(request);
		const range = parseRange(spreadsheet, rangeText);
		checkBodyRange(spreadsheet, body, range, rangeText);
		const values = valuesOf(body, input);
		const { sheet } = range;
		// The "table": the rows from the range's first row on that have data in the range's columns.
		const lastColumn = Math.min(range.c2, Math.max(sheet.columnCount, ...sheet.cells.map((row) => row?.length ?? 0)));
		const hasData = (rowIndex: number) => {
			const row = sheet.cells[rowIndex];
			if (!row) return false;
			for (let c = range.c1 - 1; c < lastColumn; c += 1) if (!isEmpty(row[c])) return true;
			return false;
		};
		let first = -1;
		let last = -1;
		for (let r = range.r1 - 1; r < Math.min(sheet.cells.length, range.r2); r += 1) {
			if (hasData(r)) {
				if (first === -1) first = r;
				last = r;
			}
		}
		const startRow = last === -1 ? range.r1 : last + 2;
		if (insert === 'INSERT_ROWS' && values.length > 0 && startRow - 1 < sheet.cells.length) {
			sheet.cells.splice(startRow - 1, 0, ...Array.from({ length: values.length }, () => []));
			sheet.rowCount += values.length;
		}
		const place = placement({ ...range, r2: Infinity, c2: Infinity }, startRow, values);
		let tableRange: string | undefined;
		if (first !== -1) {
			let tableEndColumn = range.c1;
			for (let r = first; r <= last; r += 1) {
				const row = sheet.cells[r] ?? [];
				for (let c = row.length - 1; c >= range.c1 - 1; c -= 1) {
					if (!isEmpty(row[c])) {
						tableEndColumn = Math.max(tableEndColumn, c + 1);
						break;
					}
				}
			}
			tableRange = a1({ sheet, r1: first + 1, c1: range.c1, r2: last + 1, c2: tableEndColumn });
		}
		const updatedCells = writeCells(sheet, place.r1, place.c1, values);
		return {
			dropAnswer: dropThisAnswer(),
			status: 200,
			body: { spreadsheetId: spreadsheet.id, ...(tableRange ? { tableRange } : {}), updates: updateResponse(spreadsheet.id, sheet, place, updatedCells) },
		};
	};

	const batchUpdate = (request: RecordedRequest, spreadsheet: StoredSpreadsheet): FakeReply => {
		const body = jsonBody(request);
		if (body.valueInputOption === undefined) throw invalid('Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED');
		const input = valueInputOption(body.valueInputOption);
		if (!Array.isArray(body.data)) throw invalid("Invalid value at 'data'");
		// Check every range first: a batchUpdate is applied entirely or not at all.
		const planned = body.data.map((item: unknown, index) => {
			const prefix = `Invalid data[${index}]: `;
			if (!isPlainObject(item) || typeof item.range !== 'string') throw invalid(`${prefix}ValueRange needs a range`);
			let range: GridRange;
			try {
				range = parseRange(spreadsheet, item.range);
			} catch (error) {
				if (error instanceof FakeHttpError) throw invalid(`${prefix}Unable to parse range: ${item.range}`);
				throw error;
			}
			const values = valuesOf(item, input, prefix);
			return { range, values, place: placement(range, range.r1, values, prefix) };
		});
		const responses = planned.map(({ range, values, place }) => updateResponse(spreadsheet.id, range.sheet, place, writeCells(range.sheet, place.r1, place.c1, values)));
		const dropAnswer = dropThisAnswer();
		const total = (key: 'updatedRows' | 'updatedColumns' | 'updatedCells') =>
			responses.reduce((sum, response) => sum + ((response as Partial<Record<typeof key, number>>)[key] ?? 0), 0);
		return {
			dropAnswer,
			status: 200,
			body: {
				spreadsheetId: spreadsheet.id,
				...(responses.length > 0
					? {
							totalUpdatedRows: total('updatedRows'),
							totalUpdatedColumns: total('updatedColumns'),
							totalUpdatedCells: total('updatedCells'),
							totalUpdatedSheets: new Set(planned.map((item) => item.range.sheet.sheetId)).size,
						}
					: {}),
				responses,
			},
		};
	};

	const server = await startFakeServer((request) => {
		// Match on the raw path: googleapis percent-encodes the range (its ':' too), so a literal ':' is the verb.
		const match = /^\/v4\/spreadsheets\/([^/:]+)(?:(:batchUpdate)|\/values(?::(batchUpdate)|\/([^/]+?)(:append)?))?$/.exec(request.path);
		if (!match) throw sheetsError(404, `Method not found: ${request.method} ${request.path}`);
		const [, rawId, spreadsheetVerb, valuesVerb, rawRange, append] = match;
		const spreadsheetId = decodeURIComponent(rawId!);
		if (spreadsheetVerb) throw sheetsError(404, 'spreadsheets.batchUpdate is not implemented by the fake');
		const rangeText = rawRange === undefined ? undefined : decodeURIComponent(rawRange);

		let route: 'get' | 'getValues' | 'update' | 'append' | 'batchUpdate';
		if (valuesVerb === 'batchUpdate' && request.method === 'POST') route = 'batchUpdate';
		else if (rangeText === undefined && request.method === 'GET' && !valuesVerb && !request.path.endsWith('/values')) route = 'get';
		else if (rangeText !== undefined && append && request.method === 'POST') route = 'append';
		else if (rangeText !== undefined && !append && request.method === 'GET') route = 'getValues';
		else if (rangeText !== undefined && !append && request.method === 'PUT') route = 'update';
		else throw sheetsError(404, `Method not found: ${request.method} ${request.path}`);

		const write = route === 'update' || route === 'append' || route === 'batchUpdate';
		const token = authenticate(request, spreadsheetId, write);
		if (write) {
			const times = writes.get(token) ?? [];
			writes.set(token, times);
			const at = now();
			times.push(at);
			if (quota) {
				const inWindow = (allowed.get(token) ?? []).filter((time) => at - time < 60_000);
				if (inWindow.length >= quota) {
					const retryAfter = Math.max(1, Math.ceil((inWindow[inWindow.length - quota]! + 60_000 - at) / 1000));
					throw sheetsError(
						429,
						"Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.",
						{ details: [errorInfo('RATE_LIMIT_EXCEEDED', { quota_metric: 'sheets.googleapis.com/write_requests', quota_limit: 'WriteRequestsPerMinutePerUser' })], headers: { 'retry-after': String(retryAfter) } },
					);
				}
				allowed.set(token, [...inWindow, at]);
			}
		}
		const failure = failures.take();
		if (failure) {
			const retryAfter = failure.retryAfter ?? (failure.status === 429 ? 60 : undefined);
			throw sheetsError(failure.status, failure.message ?? (failure.status === 429 ? 'Quota exceeded.' : `fake failure ${failure.status}`), {
				headers: retryAfter === undefined ? undefined : { 'retry-after': String(retryAfter) },
			});
		}
		const spreadsheet = spreadsheetOf(spreadsheetId);
		switch (route) {
			case 'get':
				return getSpreadsheet(spreadsheet);
			case 'getValues':
				return getValues(request, spreadsheet, rangeText!);
			case 'update':
				return updateValues(request, spreadsheet, rangeText!);
			case 'append':
				return appendValues(request, spreadsheet, rangeText!);
			case 'batchUpdate':
				return batchUpdate(request, spreadsheet);
		}
	});

	return {
		...server,
		rootUrl: `${server.url}/`,
		addToken: (token, tokenOptions = {}) => {
			tokens.set(token, { scopes: tokenOptions.scopes ?? [SHEETS_SCOPES.spreadsheets], spreadsheets: tokenOptions.spreadsheets });
		},
		addSpreadsheet: (input) => {
			const id = input.id ?? `1${randomBytes(33).toString('base64url').slice(0, 43)}`;
			const sheets = Object.entries(input.sheets).map(([title, rows]) => {
				const cells = rows.map((row) => row.map((cell) => (cell === '' ? undefined : cell)));
				return {
					sheetId: nextSheetId++ === 0 ? 0 : 100_000_000 + nextSheetId,
					title,
					rowCount: Math.max(DEFAULT_ROWS, cells.length),
					columnCount: Math.max(DEFAULT_COLUMNS, ...cells.map((row) => row.length)),
					cells,
				};
			});
			if (sheets.length === 0) sheets.push({ sheetId: 0, title: 'Sheet1', rowCount: DEFAULT_ROWS, columnCount: DEFAULT_COLUMNS, cells: [] });
			spreadsheets.set(id, { id, title: input.title ?? 'SkyBot Leads', sheets });
			return id;
		},
		rows: (spreadsheetId, title) => {
			const sheet = spreadsheets.get(spreadsheetId)?.sheets.find((candidate) => candidate.title === title);
			if (!sheet) throw new Error(`fake Sheets: no sheet ${title} in ${spreadsheetId}`);
			const rows = Array.from({ length: sheet.cells.length }, (_, r) => {
				const row = Array.from({ length: sheet.cells[r]?.length ?? 0 }, (_, c) => sheet.cells[r]![c] ?? '');
				while (row.length > 0 && row.at(-1) === '') row.pop();
				return row;
			});
			while (rows.length > 0 && rows.at(-1)!.length === 0) rows.pop();
			return rows;
		},
		failNext: (count, failure) => failures.push(count, failure),
		dropAnswerAfterWriteNext: (count = 1) => {
			drops += count;
		},
		writeTimes: (token) => [...(writes.get(token) ?? [])],
		peakWritesPerMinute: (token) => peakPerWindow(writes.get(token) ?? [], 60_000),
	};
}

/** USER_ENTERED parsing of a string: numbers, TRUE/FALSE, a leading apostrophe forcing text. */
function userEntered(text: string): CellValue {
	if (text.startsWith("'")) return text.slice(1);
	if (/^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(text)) return Number(text);
	if (/^true$/i.test(text)) return true;
	if (/^false$/i.test(text)) return false;
	return text;
}
