/**
 * Fake Airtable Web API (records of tables, the subset the hub's CRM sync calls), under `/v0/{baseId}`:
 *   GET   /v0/{baseId}/{tableIdOrName}             list: filterByFormula (only `{Field} = 'value'`), pageSize, maxRecords,
 *                                                  fields[], offset
 *   GET   /v0/{baseId}/{tableIdOrName}/{recordId}  one record
 *   POST  /v0/{baseId}/{tableIdOrName}             create: {records: [{fields}] ≤ 10, typecast} or {fields, typecast}
 *   PATCH /v0/{baseId}/{tableIdOrName}             update {records: [{id, fields}] ≤ 10}, or upsert with
 *                                                  `performUpsert: {fieldsToMergeOn: [1..3 fields]}` (id optional),
 *                                                  answered `{records, createdRecords, updatedRecords}` (record ids)
 *   PATCH /v0/{baseId}/{tableIdOrName}/{recordId}  update one record {fields, typecast}
 *
 * Point the real SDK at it with `new Airtable({ apiKey, endpointUrl: fake.url }).base(baseId)(table)`.
 *
 * Auth: `Authorization: Bearer <personal access token>`; a token reaches the bases it was given, with its scopes
 * (`data.records:read`, `data.records:write`). Airtable has no version header: the API version is the path's `/v0`
 * (the SDK's `x-api-version: 0.1.0` is recorded, not checked).
 *
 * Errors use Airtable's envelope `{error: {type, message}}` (airtable.com/developers/web/api/errors): 401
 * AUTHENTICATION_REQUIRED, 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND (no token access to the base, a missing scope,
 * an unknown base or table — Airtable does not tell those apart), 404 NOT_FOUND (unknown route or record), 422
 * INVALID_REQUEST_UNKNOWN (parameter validation), UNKNOWN_FIELD_NAME, INVALID_VALUE_FOR_COLUMN,
 * INVALID_MULTIPLE_CHOICE_OPTIONS, INVALID_RECORDS ("A maximum of 10 records …"), ROW_DOES_NOT_EXIST,
 * INVALID_FILTER_BY_FORMULA, INVALID_OFFSET_VALUE; 429 (5 requests per second per base; then 30 s of 429s) with
 * `Retry-After` — Airtable documents the 30 s wait, not the header, so the header is this fake's choice.
 *
 * What the SDK (airtable 0.12.2) does with an upsert: `table.update(records, {performUpsert})` does send
 * `performUpsert` (its options are spread into the body), but its typings have no `performUpsert` and require `id` on
 * every record, and it answers only `body.records` mapped to Record objects: `createdRecords` / `updatedRecords` are
 * dropped. `base.makeRequest({method: 'PATCH', path: '/Table', body})` answers the raw body, so the hub can know which
 * leads were created through the SDK's own transport (the REST shape). Both SDK paths retry a 429 on their own
 * (5 s × 2^n with jitter, ignoring Retry-After) unless `noRetryIfRateLimited: true`; neither retries a lost answer.
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

export const AIRTABLE_SCOPES = { read: 'data.records:read', write: 'data.records:write' } as const;
/** Airtable's documented batch limit for create / update / upsert. */
export const AIRTABLE_MAX_RECORDS_PER_REQUEST = 10;
const MAX_PAGE_SIZE = 100;
/** Airtable: 5 requests per second per base; past it, 30 seconds of 429s. */
export const AIRTABLE_RATE_LIMIT = { perSecond: 5, penaltyMs: 30_000 } as const;

export type AirtableFieldType =
	| 'singleLineText'
	| 'multilineText'
	| 'email'
	| 'url'
	| 'phoneNumber'
	| 'number'
	| 'checkbox'
	| 'singleSelect'
	| 'dateTime';

export interface AirtableFieldSpec {
	type: AirtableFieldType;
	/** singleSelect choices (typecast may add new ones, as Airtable does). */
	choices?: string[];
}

export interface AirtableTableSpec {
	name: string;
	/** `tbl…` (generated when omitted). */
	id?: string;
	/** Field name → type (or a spec); the first one is the primary field. */
	fields: Record<string, AirtableFieldType | AirtableFieldSpec>;
}

export interface AirtableRecord {
	id: string;
	createdTime: string;
	fields: Record<string, unknown>;
}

export interface AirtableFailure {
	status: number;
	type?: string;
	message?: string;
	/** Seconds, sent as Retry-After (429 default: 30). */
	retryAfter?: number;
}

export interface FakeAirtableOptions {
	/** Enforce Airtable's rate limit per base (default off: the fake only counts). */
	rateLimit?: { perSecond: number; penaltyMs: number } | boolean;
	now?: () => number;
}

export interface FakeAirtable extends FakeServer {
	/** A personal access token with access to `bases` (default: every base) and `scopes` (default: read + write). */
	addToken(token: string, options?: { bases?: string[]; scopes?: string[] }): void;
	/** A base (`app` + 14 characters, generated when omitted); returns its id. */
	addBase(baseId?: string): string;
	/** A table of a base; returns its id (`tbl…`). */
	addTable(baseId: string, table: AirtableTableSpec): string;
	/** What a table holds now, in creation order (by table name or id). */
	records(baseId: string, table: string): AirtableRecord[];
	/** The next `count` calls to any base (after auth, before validation) answer this error. */
	failNext(count: number, failure: AirtableFailure): void;
	/** The next `count` accepted writes (POST / PATCH / PUT) are performed, then the connection closes unanswered. */
	dropAnswerAfterWriteNext(count?: number): void;
	/** Arrival times (epoch ms) of every request addressed to this base, refused ones included. */
	requestTimes(baseId: string): number[];
	/** The most requests this base received within any one second (sliding window). */
	peakRequestsPerSecond(baseId: string): number;
}

interface StoredTable {
	id: string;
	name: string;
	fields: Map<string, AirtableFieldSpec>;
	records: AirtableRecord[];
}

interface StoredBase {
	id: string;
	tables: StoredTable[];
	times: number[];
	penalisedUntil: number;
}

interface TokenGrant {
	bases?: string[];
	scopes: string[];
}

const randomId = (prefix: string) =>
	prefix +
	randomBytes(14)
		.toString('base64')
		.replace(/[^A-Za-z0-9]/g, '')
		.padEnd(14, '0')
		.slice(0, 14);

export function airtableError(status: number, type: string, message: string, headers?: Record<string, string>): FakeHttpError {
	return new FakeHttpError(status, { error: { type, message } }, headers);
}

const invalidRequest = (detail?: string) =>
	airtableError(422, 'INVALID_REQUEST_UNKNOWN', `Invalid request: parameter validation failed. Check your request data.${detail ? ` (${detail})` : ''}`);
const forbidden = () =>
	airtableError(
		403,
		'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
		'Invalid permissions, or the requested model was not found. Check that both your user and your token have the required permissions, and that the model names and/or ids are correct.',
	);
const notFound = () => airtableError(404, 'NOT_FOUND', 'Could not find what you are looking for');

const DEFAULT_FAILURE_TYPES: Record<number, string> = {
	401: 'AUTHENTICATION_REQUIRED',
	403: 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
	404: 'NOT_FOUND',
	422: 'INVALID_REQUEST_UNKNOWN',
	429: 'RATE_LIMIT_REACHED',
	500: 'SERVER_ERROR',
	502: 'BAD_GATEWAY',
	503: 'SERVICE_UNAVAILABLE',
};

/** `{Field} = 'value'` (or "value"), the one formula shape the fake evaluates. */
const EQUALITY_FORMULA = /^\s*\{([^}]+)\}\s*=\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*$/;

export async function startFakeAirtable(options: FakeAirtableOptions = {}): Promise<FakeAirtable> {
	const now = options.now ?? Date.now;
	const rateLimit = options.rateLimit === true ? AIRTABLE_RATE_LIMIT : options.rateLimit || undefined;
	const bases = new Map<string, StoredBase>();
	const tokens = new Map<string, TokenGrant>();
	const failures = new FailureQueue<AirtableFailure>();
	let drops = 0;

	const findTable = (base: StoredBase, nameOrId: string) => base.tables.find((table) => table.id === nameOrId || table.name === nameOrId);

	const authenticate = (request: RecordedRequest, baseId: string, scope: string): void => {
		const token = bearerToken(request);
		if (!token) throw airtableError(401, 'AUTHENTICATION_REQUIRED', 'Authentication required');
		const grant = tokens.get(token);
		if (!grant) throw airtableError(401, 'AUTHENTICATION_REQUIRED', 'Invalid authentication token');
		if ((grant.bases && !grant.bases.includes(baseId)) || !grant.scopes.includes(scope)) throw forbidden();
	};

	/** A cell value as Airtable would store it, or an error; `undefined` clears the cell. */
	const cellValue = (table: StoredTable, name: string, value: unknown, typecast: boolean): unknown => {
		const spec = table.fields.get(name);
		if (!spec) throw airtableError(422, 'UNKNOWN_FIELD_NAME', `Unknown field name: "${name}"`);
		if (value === null || value === undefined) return undefined;
		const refuse = () => airtableError(422, 'INVALID_VALUE_FOR_COLUMN', `Field "${name}" cannot accept the provided value`);
		switch (spec.type) {
			case 'number': {
				if (typeof value === 'number' && Number.isFinite(value)) return value;
				if (typecast && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
				throw refuse();
			}
			case 'checkbox': {
				if (typeof value === 'boolean') return value || undefined;
				if (typecast && typeof value === 'string') return value.toLowerCase() === 'true' || value === '1' || undefined;
				throw refuse();
			}
			case 'singleSelect': {
				if (typeof value !== 'string') throw refuse();
				const choices = (spec.choices ??= []);
				if (!choices.includes(value)) {
					if (!typecast) {
						throw airtableError(422, 'INVALID_MULTIPLE_CHOICE_OPTIONS', `Insufficient permissions to create new select option ""${value}""`);
					}
					choices.push(value);
				}
				return value;
			}
			case 'dateTime': {
				if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw refuse();
				return new Date(value).toISOString();
			}
			default: {
				if (typeof value === 'string') {
					if (spec.type === 'email' && value !== '' && !/^[^@\s]+@[^@\s]+$/.test(value)) throw refuse();
					return value === '' ? undefined : value;
				}
				if (typecast && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
				throw refuse();
			}
		}
	};

	/** Checks a record's `fields` and returns the cells to write (undefined = clear). */
	const checkFields = (table: StoredTable, fields: unknown, typecast: boolean): Map<string, unknown> => {
		if (!isPlainObject(fields)) throw invalidRequest('each record needs a fields object');
		const cells = new Map<string, unknown>();
		for (const [name, value] of Object.entries(fields)) cells.set(name, cellValue(table, name, value, typecast));
		return cells;
	};

	const applyCells = (record: AirtableRecord, cells: Map<string, unknown>, destructive: boolean) => {
		if (destructive) record.fields = {};
		for (const [name, value] of cells) {
			if (value === undefined) delete record.fields[name];
			else record.fields[name] = value;
		}
	};

	const recordOut = (record: AirtableRecord, only?: string[]): AirtableRecord => ({
		id: record.id,
		createdTime: record.createdTime,
		fields: Object.fromEntries(Object.entries(record.fields).filter(([name]) => !only || only.includes(name))),
	});

	const newRecord = (): AirtableRecord => ({ id: randomId('rec'), createdTime: new Date(now()).toISOString(), fields: {} });

	const jsonBody = (request: RecordedRequest): Record<string, unknown> => {
		if (mediaType(request) !== 'application/json') throw invalidRequest('Content-Type must be application/json');
		if (!isPlainObject(request.json)) throw airtableError(400, 'INVALID_REQUEST_BODY', 'Could not parse request body');
		return request.json;
	};

	const allowOnly = (body: Record<string, unknown>, keys: string[]) => {
		const unknown = Object.keys(body).filter((key) => !keys.includes(key));
		if (unknown.length > 0) throw invalidRequest(`unknown parameter(s): ${unknown.join(', ')}`);
	};

	const typecastOf = (body: Record<string, unknown>): boolean => {
		if (body.typecast !== undefined && typeof body.typecast !== 'boolean') throw invalidRequest('typecast must be a boolean');
		return body.typecast === true;
	};

	const recordsArray = (body: Record<string, unknown>, verb: 'created' | 'updated'): unknown[] => {
		const records = body.records;
		if (!Array.isArray(records) || records.length === 0) throw invalidRequest('records must be a non-empty array');
		if (records.length > AIRTABLE_MAX_RECORDS_PER_REQUEST) {
			throw airtableError(
				422,
				'INVALID_RECORDS',
				`A maximum of ${AIRTABLE_MAX_RECORDS_PER_REQUEST} records can be ${verb} per request but you have provided ${records.length}.`,
			);
		}
		return records;
	};

	/** True when this accepted write's answer is to be lost (`dropAnswerAfterWriteNext`). */
	const dropThisAnswer = (): boolean => {
		if (drops === 0) return false;
		drops -= 1;
		return true;
	};

	// ---- endpoints ------------------------------------------------------------------------------------------------

	const list = (request: RecordedRequest, table: StoredTable): FakeReply => {
		const { query } = request;
		const raw = new URLSearchParams(request.rawQuery);
		const fields = raw.getAll('fields[]').length > 0 ? raw.getAll('fields[]') : undefined;
		const supported = ['filterByFormula', 'pageSize', 'maxRecords', 'offset', 'fields[]'];
		const unsupported = [...raw.keys()].filter((key) => !supported.includes(key));
		if (unsupported.length > 0) throw invalidRequest(`the fake does not implement: ${[...new Set(unsupported)].join(', ')}`);
		for (const name of fields ?? []) if (!table.fields.has(name)) throw airtableError(422, 'UNKNOWN_FIELD_NAME', `Unknown field name: "${name}"`);

		const pageSize = query.pageSize === undefined ? MAX_PAGE_SIZE : Number(query.pageSize);
		if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw invalidRequest('pageSize must be an integer from 1 to 100');
		const maxRecords = query.maxRecords === undefined ? Infinity : Number(query.maxRecords);
		if (maxRecords !== Infinity && (!Number.isInteger(maxRecords) || maxRecords < 1)) throw invalidRequest('maxRecords must be a positive integer');

		let matching = table.records;
		if (query.filterByFormula !== undefined && query.filterByFormula !== '') {
			const match = EQUALITY_FORMULA.exec(query.filterByFormula);
			if (!match) {
				throw airtableError(
					422,
					'INVALID_FILTER_BY_FORMULA',
					`The formula for filtering records is invalid: the fake only evaluates {Field} = 'value' (got ${query.filterByFormula})`,
				);
			}
			const field = match[1]!;
			if (!table.fields.has(field)) {
				throw airtableError(422, 'INVALID_FILTER_BY_FORMULA', `The formula for filtering records is invalid: Unknown field names: ${field}`);
			}
			const wanted = (match[2] ?? match[3]!).replace(/\\(.)/g, '$1');
			matching = matching.filter((record) => cellText(record.fields[field]) === wanted);
		}
		matching = matching.slice(0, maxRecords);

		let start = 0;
		if (query.offset !== undefined) {
			const offsetMatch = /^itr[A-Za-z0-9]{14}\/(rec[A-Za-z0-9]{14})$/.exec(query.offset);
			const index = offsetMatch ? matching.findIndex((record) => record.id === offsetMatch[1]) : -1;
			if (index === -1) throw airtableError(422, 'INVALID_OFFSET_VALUE', `The value of offset ${query.offset} is invalid`);
			start = index;
		}
		const page = matching.slice(start, start + pageSize);
		const next = matching[start + pageSize];
		return {
			status: 200,
			body: { records: page.map((record) => recordOut(record, fields)), ...(next ? { offset: `${randomId('itr')}/${next.id}` } : {}) },
		};
	};

	const getOne = (table: StoredTable, recordId: string): FakeReply => {
		const record = table.records.find((candidate) => candidate.id === recordId);
		if (!record) throw notFound();
		return { status: 200, body: recordOut(record) };
	};

	const create = (request: RecordedRequest, table: StoredTable): FakeReply => {
		const body = jsonBody(request);
		allowOnly(body, ['records', 'fields', 'typecast', 'returnFieldsByFieldId']);
		const typecast = typecastOf(body);
		const single = body.records === undefined;
		if (single && body.fields === undefined) throw invalidRequest('records or fields is required');
		const inputs = single ? [{ fields: body.fields }] : recordsArray(body, 'created');
		const checked = inputs.map((input) => {
			if (!isPlainObject(input)) throw invalidRequest('each record must be an object');
			allowOnly(input, ['fields']);
			return checkFields(table, input.fields, typecast);
		});
		const created = checked.map((cells) => {
			const record = newRecord();
			applyCells(record, cells, false);
			return record;
		});
		table.records.push(...created);
		return { dropAnswer: dropThisAnswer(), status: 200, body: single ? recordOut(created[0]!) : { records: created.map((record) => recordOut(record)) } };
	};

	const updateMany = (request: RecordedRequest, table: StoredTable, destructive: boolean): FakeReply => {
		const body = jsonBody(request);
		allowOnly(body, ['records', 'typecast', 'performUpsert', 'returnFieldsByFieldId']);
		const typecast = typecastOf(body);
		const inputs = recordsArray(body, 'updated');
		let mergeOn: string[] | undefined;
		if (body.performUpsert !== undefined) {
			const upsert = body.performUpsert;
			if (!isPlainObject(upsert) || !Array.isArray(upsert.fieldsToMergeOn)) throw invalidRequest('performUpsert.fieldsToMergeOn is required');
			allowOnly(upsert, ['fieldsToMergeOn']);
			const names = upsert.fieldsToMergeOn;
			if (names.length < 1 || names.length > 3 || !names.every((name) => typeof name === 'string')) {
				throw invalidRequest('fieldsToMergeOn must name one to three fields');
			}
			for (const name of names) if (!table.fields.has(name)) throw airtableError(422, 'UNKNOWN_FIELD_NAME', `Unknown field name: "${name}"`);
			mergeOn = names;
		}

		// Validate the whole batch before writing anything: Airtable applies a request entirely or not at all.
		const seenKeys = new Set<string>();
		const plan = inputs.map((input) => {
			if (!isPlainObject(input)) throw invalidRequest('each record must be an object');
			allowOnly(input, ['id', 'fields']);
			const cells = checkFields(table, input.fields, typecast);
			if (input.id !== undefined) {
				const record = typeof input.id === 'string' ? table.records.find((candidate) => candidate.id === input.id) : undefined;
				if (!record) throw airtableError(422, 'ROW_DOES_NOT_EXIST', `Record ID ${String(input.id)} does not exist in this table`);
				return { record, cells };
			}
			if (!mergeOn) throw invalidRequest('each record needs an id (or set performUpsert)');
			const key = mergeOn.map((name) => {
				if (!cells.has(name) || cells.get(name) === undefined) {
					throw invalidRequest(`each upserted record needs a value for the merge field "${name}"`);
				}
				return cellText(cells.get(name));
			});
			const keyText = JSON.stringify(key);
			// Airtable does not document two records with the same merge key in one request; refusing is the safe guess.
			if (seenKeys.has(keyText)) throw airtableError(422, 'INVALID_RECORDS', `Two records in the request have the same value for ${mergeOn.join(', ')}`);
			seenKeys.add(keyText);
			const matches = table.records.filter((record) => mergeOn.every((name, index) => cellText(record.fields[name]) === key[index]));
			if (matches.length > 1) {
				throw airtableError(422, 'INVALID_RECORDS', `Cannot upsert: ${matches.length} records match ${mergeOn.join(', ')} = ${key.join(', ')}`);
			}
			return { record: matches[0], cells };
		});

		const createdRecords: string[] = [];
		const updatedRecords: string[] = [];
		const written = plan.map(({ record, cells }) => {
			if (record) {
				applyCells(record, cells, destructive);
				updatedRecords.push(record.id);
				return record;
			}
			const created = newRecord();
			applyCells(created, cells, false);
			table.records.push(created);
			createdRecords.push(created.id);
			return created;
		});
		return {
			dropAnswer: dropThisAnswer(),
			status: 200,
			body: { records: written.map((record) => recordOut(record)), ...(mergeOn ? { createdRecords, updatedRecords } : {}) },
		};
	};

	const updateOne = (request: RecordedRequest, table: StoredTable, recordId: string, destructive: boolean): FakeReply => {
		const body = jsonBody(request);
		allowOnly(body, ['fields', 'typecast', 'returnFieldsByFieldId']);
		const record = table.records.find((candidate) => candidate.id === recordId);
		if (!record) throw notFound();
		const cells = checkFields(table, body.fields, typecastOf(body));
		applyCells(record, cells, destructive);
		return { dropAnswer: dropThisAnswer(), status: 200, body: recordOut(record) };
	};

	const server = await startFakeServer((request) => {
		const segments = request.path.replace(/\/+$/, '').split('/').slice(1).map(decodeURIComponent);
		if (segments[0] !== 'v0' || segments.length < 3 || segments.length > 4 || !segments[1] || !segments[2]) throw notFound();
		const [, baseId, tableName, recordId] = segments as [string, string, string, string | undefined];
		const base = bases.get(baseId);
		const arrival = now();
		if (base) base.times.push(arrival);

		const isWrite = request.method !== 'GET';
		authenticate(request, baseId, isWrite ? AIRTABLE_SCOPES.write : AIRTABLE_SCOPES.read);
		if (!base) throw forbidden();

		if (rateLimit) {
			if (arrival < base.penalisedUntil || base.times.filter((time) => arrival - time < 1000).length > rateLimit.perSecond) {
				if (arrival >= base.penalisedUntil) base.penalisedUntil = arrival + rateLimit.penaltyMs;
				const wait = Math.ceil((base.penalisedUntil - arrival) / 1000);
				throw airtableError(429, 'RATE_LIMIT_REACHED', 'Rate limit exceeded. Please try again later', { 'retry-after': String(wait) });
			}
		}
		const failure = failures.take();
		if (failure) {
			const retryAfter = failure.retryAfter ?? (failure.status === 429 ? 30 : undefined);
			throw airtableError(
				failure.status,
				failure.type ?? DEFAULT_FAILURE_TYPES[failure.status] ?? 'UNEXPECTED_ERROR',
				failure.message ?? (failure.status === 429 ? 'Rate limit exceeded. Please try again later' : `fake failure ${failure.status}`),
				retryAfter === undefined ? undefined : { 'retry-after': String(retryAfter) },
			);
		}

		const table = findTable(base, tableName);
		if (!table) throw forbidden();
		const method = request.method;
		if (recordId === undefined) {
			if (method === 'GET') return list(request, table);
			if (method === 'POST') return create(request, table);
			if (method === 'PATCH' || method === 'PUT') return updateMany(request, table, method === 'PUT');
		} else {
			if (method === 'GET') return getOne(table, recordId);
			if (method === 'PATCH' || method === 'PUT') return updateOne(request, table, recordId, method === 'PUT');
		}
		throw notFound();
	});

	const baseOf = (baseId: string): StoredBase => {
		const base = bases.get(baseId);
		if (!base) throw new Error(`fake Airtable: no base ${baseId}`);
		return base;
	};

	return {
		...server,
		addToken: (token, tokenOptions = {}) => {
			tokens.set(token, { bases: tokenOptions.bases, scopes: tokenOptions.scopes ?? [AIRTABLE_SCOPES.read, AIRTABLE_SCOPES.write] });
		},
		addBase: (baseId = randomId('app')) => {
			if (!bases.has(baseId)) bases.set(baseId, { id: baseId, tables: [], times: [], penalisedUntil: 0 });
			return baseId;
		},
		addTable: (baseId, spec) => {
			const base = baseOf(baseId);
			const id = spec.id ?? randomId('tbl');
			const fields = new Map<string, AirtableFieldSpec>();
			for (const [name, field] of Object.entries(spec.fields)) {
				fields.set(name, typeof field === 'string' ? { type: field } : { ...field, choices: field.choices ? [...field.choices] : undefined });
			}
			base.tables.push({ id, name: spec.name, fields, records: [] });
			return id;
		},
		records: (baseId, table) => {
			const found = findTable(baseOf(baseId), table);
			if (!found) throw new Error(`fake Airtable: no table ${table} in ${baseId}`);
			return found.records.map((record) => recordOut(record));
		},
		failNext: (count, failure) => failures.push(count, failure),
		dropAnswerAfterWriteNext: (count = 1) => {
			drops += count;
		},
		requestTimes: (baseId) => [...baseOf(baseId).times],
		peakRequestsPerSecond: (baseId) => peakPerWindow(baseOf(baseId).times, 1000),
	};
}

/** A cell as a formula compares it: the text of the value, '' for an empty cell. */
function cellText(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'boolean') return value ? '1' : '0';
	return String(value);
}
