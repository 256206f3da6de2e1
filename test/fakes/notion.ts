/**
 * Fake Notion API, version 2025-09-03 (databases split into data sources), the subset a CRM sync of leads needs:
 *   GET   /v1/data_sources/{id}         the data source and its properties schema
 *   POST  /v1/data_sources/{id}/query   filter (one property condition, or and/or of them), sorts, start_cursor/page_size
 *   POST  /v1/pages                     a page with parent {type: 'data_source_id', data_source_id} and property values
 *   PATCH /v1/pages/{id}                updates property values (and in_trash / archived)
 *
 * Every request needs `Authorization: Bearer <integration token>` (an allowed one, else 401 unauthorized) and
 * `Notion-Version: 2025-09-03` (absent: 400 missing_version; another version: 400 invalid_request, since the
 * data_sources endpoints do not exist before 2025-09-03). Errors use Notion's envelope
 * `{object: 'error', status, code, message, request_id}` with the codes of Notion's status-code table, so the real
 * `@notionhq/client` turns them into an APIResponseError with that `code`. Messages follow what Notion answers as
 * integrators quote it ("X is not a property that exists.", "X is expected to be email.", "body failed validation: …",
 * "Could not find property with name or id: X.", "Could not find data_source with ID: …").
 *
 * A data source unknown to the fake, or not shared with the calling token (`addDataSource({sharedWith})`), is a 404
 * object_not_found as in Notion, which does not tell the two apart.
 *
 * Where Notion's documentation is silent the fake picks and says so: a query without `sorts` lists pages in creation
 * order; text `equals` is exact (case-sensitive), `contains` / `starts_with` / `ends_with` ignore case; a filter
 * must name its condition under the property's own type (`title` for the title property, not `rich_text`).
 *
 * Point the SDK at it with `new Client({ auth, baseUrl: fake.url, notionVersion: '2025-09-03' })` (the SDK appends /v1/).
 */
import { randomBytes, randomUUID } from 'node:crypto';

import {
	bearerToken,
	FailureQueue,
	FakeHttpError,
	type FakeReply,
	type FakeServer,
	isPlainObject,
	mediaType,
	type RecordedRequest,
	startFakeServer,
} from './http-fake.ts';

export const NOTION_VERSION = '2025-09-03';
/** An internal integration token as Notion issues them now (`ntn_…`; older ones start with `secret_`). */
export const FAKE_NOTION_TOKEN = 'ntn_skybotFakeIntegrationToken0000000000000000';

/** The property types this fake stores and validates (the ones a lead maps to). */
export type NotionPropertyType = 'title' | 'rich_text' | 'email' | 'phone_number' | 'url' | 'select' | 'number' | 'date' | 'checkbox';
const PROPERTY_TYPES: NotionPropertyType[] = ['title', 'rich_text', 'email', 'phone_number', 'url', 'select', 'number', 'date', 'checkbox'];

export type NotionPropertySpec = NotionPropertyType | { type: 'select'; options: readonly string[] } | { type: 'number'; format?: string };

export interface AddDataSourceInput {
	/** Default: a fresh UUID. Dashes are optional when the client sends it (Notion accepts both). */
	id?: string;
	title?: string;
	/** Property name → type; exactly one `title` property, as every Notion data source has. */
	properties: Record<string, NotionPropertySpec>;
	/** Tokens the data source is shared with (default: every allowed token). Others get 404 object_not_found. */
	sharedWith?: string[];
}

export interface AddedDataSource {
	id: string;
	/** The database the data source belongs to (its parent). */
	databaseId: string;
	/** Property name → the property's id in the schema. */
	propertyIds: Record<string, string>;
}

/** A stored page with its property values as plain values (rich text → its plain text, select → the option name). */
export interface StoredNotionPage {
	id: string;
	dataSourceId: string;
	inTrash: boolean;
	createdTime: string;
	lastEditedTime: string;
	/** date → its start ('2026-12-04' or an ISO date-time), empty values null (checkbox false, text ''). */
	properties: Record<string, string | number | boolean | null>;
}

export interface NotionFailure {
	status: number;
	/** Notion's code (default from the status: 429 rate_limited, 409 conflict_error, 500 internal_server_error …). */
	code?: string;
	message?: string;
	/** Seconds, sent as `Retry-After` (a 429 always carries one: default 1). */
	retryAfter?: number;
	/** Only writes (POST /pages, PATCH /pages/{id}) or only reads (retrieve, query) fail; default: any request. */
	only?: 'read' | 'write';
}

export interface FakeNotion extends FakeServer {
	addDataSource(input: AddDataSourceInput): AddedDataSource;
	/** The pages of a data source (trashed ones included, flagged), in creation order. */
	pages(dataSourceId: string): StoredNotionPage[];
	/** Accepts another integration token (a data source added later is shared with it unless told otherwise). */
	allowToken(token: string): void;
	/** Shares (or unshares) an existing data source with a token. */
	share(dataSourceId: string, token: string, shared?: boolean): void;
	/** The next `count` authenticated requests answer this error instead (after the auth and version checks). */
	failNext(count: number, failure: NotionFailure): void;
	/** The next `count` writes (POST /pages, PATCH /pages/{id}) are stored, then the socket is destroyed unanswered. */
	dropAnswerAfterWriteNext(count: number): void;
	/** Arrival times (epoch ms) of every request that carried this bearer token, refused ones included. */
	requestTimes(token: string): number[];
}

export interface FakeNotionOptions {
	/** Integration tokens accepted (default: [FAKE_NOTION_TOKEN]). */
	tokens?: string[];
	/**
	 * Enforce a limit per token: more than `requests` within any `perMs` window answers 429 rate_limited with
	 * Retry-After (Notion documents an average of 3 requests per second per integration). Default: no limit.
	 */
	rateLimit?: { requests: number; perMs: number; retryAfterSeconds?: number };
	/** The fake's clock (default Date.now). */
	now?: () => number;
}

interface SchemaProperty {
	id: string;
	name: string;
	type: NotionPropertyType;
	/** select options (name → id, color). */
	options?: { id: string; name: string; color: string }[];
	numberFormat?: string;
}

interface DataSource {
	id: string;
	databaseId: string;
	title: string;
	properties: Map<string, SchemaProperty>;
	sharedWith?: Set<string>;
	createdTime: string;
}

interface RichText {
	content: string;
	link: string | null;
}
type StoredValue =
	| { type: 'title' | 'rich_text'; value: RichText[] }
	| { type: 'email' | 'phone_number' | 'url'; value: string | null }
	| { type: 'number'; value: number | null }
	| { type: 'select'; value: { id: string; name: string; color: string } | null }
	| { type: 'date'; value: { start: string; end: string | null; time_zone: string | null } | null }
	| { type: 'checkbox'; value: boolean };

interface Page {
	id: string;
	dataSourceId: string;
	values: Map<string, StoredValue>;
	inTrash: boolean;
	createdTime: string;
	lastEditedTime: string;
	createdBy: string;
}

const DEFAULT_CODES: Record<number, string> = {
	400: 'validation_error',
	401: 'unauthorized',
	403: 'restricted_resource',
	404: 'object_not_found',
	409: 'conflict_error',
	429: 'rate_limited',
	500: 'internal_server_error',
	502: 'internal_server_error',
	503: 'service_unavailable',
	504: 'gateway_timeout',
};
const DEFAULT_MESSAGES: Record<string, string> = {
	conflict_error: 'Conflict occurred while saving. Please try again.',
	rate_limited: 'You have been rate limited. Please try again in a few minutes.',
	internal_server_error: 'Unexpected error occurred.',
	service_unavailable: 'Notion is unavailable, try again later.',
	gateway_timeout: 'Notion timed out while completing this request. Please try again later.',
	restricted_resource: 'API token does not have access to this resource.',
};
const TEXT_LIMIT = 2000;
const RICH_TEXT_ITEMS_LIMIT = 100;
const PAGE_SIZE_MAX = 100;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
/** The integration's bot user, as created_by / last_edited_by show it. */
const USER_ID = '6a4c1f1e-5b0e-4f6a-9c1d-0000000b07e0';

export function notionError(status: number, code: string, message: string, headers?: Record<string, string>): FakeHttpError {
	return new FakeHttpError(status, { object: 'error', status, code, message, request_id: randomUUID() }, headers);
}
const validation = (message: string) => notionError(400, 'validation_error', message);
const show = (value: unknown) => `\`${value === undefined ? 'undefined' : JSON.stringify(value)}\``;
const bodyFailed = (path: string, expectation: string, value: unknown) =>
	validation(`body failed validation: ${path} should be ${expectation}, instead was ${show(value)}.`);

/** Notion ids compare without dashes and case-insensitively; answers use the dashed UUID form. */
const normaliseId = (id: string) => id.replace(/-/g, '').toLowerCase();
function dashed(id: string): string {
	const hex = normaliseId(id);
	return /^[0-9a-f]{32}$/.test(hex) ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : id;
}
const isNotionId = (id: string) => /^[0-9a-f]{32}$/.test(normaliseId(id));

/** A short property id like Notion's (url-encoded characters); the title property's id is always "title". */
function propertyId(taken: Set<string>): string {
	for (;;) {
		const id = encodeURIComponent(randomBytes(3).toString('base64').slice(0, 4));
		if (!taken.has(id) && id !== 'title') return id;
	}
}

const richTextResponse = (items: RichText[]) =>
	items.map((item) => ({
		type: 'text',
		text: { content: item.content, link: item.link === null ? null : { url: item.link } },
		annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
		plain_text: item.content,
		href: item.link,
	}));
const plainText = (items: RichText[]) => items.map((item) => item.content).join('');

function emptyValue(type: NotionPropertyType): StoredValue {
	switch (type) {
		case 'title':
		case 'rich_text':
			return { type, value: [] };
		case 'checkbox':
			return { type, value: false };
		case 'number':
			return { type, value: null };
		case 'select':
			return { type, value: null };
		case 'date':
			return { type, value: null };
		default:
			return { type, value: null };
	}
}

export async function startFakeNotion(options: FakeNotionOptions = {}): Promise<FakeNotion> {
	const now = options.now ?? Date.now;
	const tokens = new Set(options.tokens ?? [FAKE_NOTION_TOKEN]);
	const dataSources = new Map<string, DataSource>();
	const pages = new Map<string, Page>();
	const failures = new FailureQueue<NotionFailure>();
	const readFailures = new FailureQueue<NotionFailure>();
	const writeFailures = new FailureQueue<NotionFailure>();
	const drops = new FailureQueue<true>();
	const times = new Map<string, number[]>();
	/** Notion stamps created/edited times to the minute. */
	const stamp = () => new Date(Math.floor(now() / 60_000) * 60_000).toISOString();

	const findDataSource = (id: string, token: string): DataSource => {
		const source = dataSources.get(normaliseId(id));
		if (!source || (source.sharedWith && !source.sharedWith.has(token))) {
			throw notionError(
				404,
				'object_not_found',
				`Could not find data_source with ID: ${dashed(id)}. Make sure the relevant pages and databases are shared with your integration.`,
			);
		}
		return source;
	};

	const findPage = (id: string, token: string): Page => {
		const page = pages.get(normaliseId(id));
		const source = page && dataSources.get(normaliseId(page.dataSourceId));
		if (!page || !source || (source.sharedWith && !source.sharedWith.has(token))) {
			throw notionError(
				404,
				'object_not_found',
				`Could not find page with ID: ${dashed(id)}. Make sure the relevant pages and databases are shared with your integration.`,
			);
		}
		return page;
	};

	/** A schema property by name or by id, as Notion resolves the keys of `properties` and `filter.property`. */
	const schemaProperty = (source: DataSource, key: string): SchemaProperty | undefined => {
		const byName = source.properties.get(key);
		if (byName) return byName;
		const decoded = (() => {
			try {
				return decodeURIComponent(key);
			} catch {
				return key;
			}
		})();
		return [...source.properties.values()].find((property) => property.id === key || decodeURIComponent(property.id) === decoded);
	};

	const propertyConfig = (property: SchemaProperty) => {
		const base = { id: property.id, name: property.name, description: null, type: property.type };
		switch (property.type) {
			case 'select':
				return { ...base, select: { options: (property.options ?? []).map((option) => ({ ...option, description: null })) } };
			case 'number':
				return { ...base, number: { format: property.numberFormat ?? 'number' } };
			default:
				return { ...base, [property.type]: {} };
		}
	};

	const dataSourceObject = (source: DataSource) => ({
		object: 'data_source',
		id: source.id,
		created_time: source.createdTime,
		last_edited_time: source.createdTime,
		created_by: { object: 'user', id: USER_ID },
		last_edited_by: { object: 'user', id: USER_ID },
		title: richTextResponse([{ content: source.title, link: null }]),
		description: [],
		parent: { type: 'database_id', database_id: source.databaseId },
		database_parent: { type: 'workspace', workspace: true },
		is_inline: false,
		in_trash: false,
		archived: false,
		icon: null,
		cover: null,
		properties: Object.fromEntries([...source.properties.values()].map((property) => [property.name, propertyConfig(property)])),
		url: `https://www.notion.so/${normaliseId(source.databaseId)}`,
		public_url: null,
	});

	const valueResponse = (value: StoredValue): unknown => {
		switch (value.type) {
			case 'title':
			case 'rich_text':
				return richTextResponse(value.value);
			default:
				return value.value;
		}
	};

	const pageObject = (page: Page) => {
		const source = dataSources.get(normaliseId(page.dataSourceId))!;
		const properties: Record<string, unknown> = {};
		for (const property of source.properties.values()) {
			const value = page.values.get(property.name) ?? emptyValue(property.type);
			properties[property.name] = { id: property.id, type: property.type, [property.type]: valueResponse(value) };
		}
		const title = page.values.get([...source.properties.values()].find((property) => property.type === 'title')!.name);
		const slug = title && title.type === 'title' ? plainText(title.value).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') : '';
		return {
			object: 'page',
			id: page.id,
			created_time: page.createdTime,
			last_edited_time: page.lastEditedTime,
			created_by: { object: 'user', id: page.createdBy },
			last_edited_by: { object: 'user', id: page.createdBy },
			cover: null,
			icon: null,
			parent: { type: 'data_source_id', data_source_id: source.id, database_id: source.databaseId },
			in_trash: page.inTrash,
			archived: page.inTrash,
			is_archived: page.inTrash,
			is_locked: false,
			properties,
			url: `https://www.notion.so/${slug ? `${slug}-` : ''}${normaliseId(page.id)}`,
			public_url: null,
		};
	};

	const richTextInput = (value: unknown, path: string): RichText[] => {
		if (!Array.isArray(value)) throw bodyFailed(path, 'an array', value);
		if (value.length > RICH_TEXT_ITEMS_LIMIT) throw bodyFailed(`${path}.length`, `≤ \`${RICH_TEXT_ITEMS_LIMIT}\``, value.length);
		return value.map((item: unknown, index) => {
			const at = `${path}[${index}]`;
			if (!isPlainObject(item)) throw bodyFailed(at, 'an object', item);
			if (item.type !== undefined && item.type !== 'text') throw bodyFailed(`${at}.type`, '`"text"` (the fake stores text items only)', item.type);
			if (!isPlainObject(item.text)) throw bodyFailed(`${at}.text`, 'defined', item.text);
			const content = item.text.content;
			if (typeof content !== 'string') throw bodyFailed(`${at}.text.content`, 'a string', content);
			if (content.length > TEXT_LIMIT) throw bodyFailed(`${at}.text.content.length`, `≤ \`${TEXT_LIMIT}\``, content.length);
			const link = item.text.link;
			if (link !== undefined && link !== null && !(isPlainObject(link) && typeof link.url === 'string')) {
				throw bodyFailed(`${at}.text.link`, 'an object with a url, or `null`', link);
			}
			return { content, link: isPlainObject(link) ? (link.url as string) : null };
		});
	};

	/** One property value of a create/update body, checked against the schema property it names. */
	const propertyValue = (property: SchemaProperty, key: string, raw: unknown): StoredValue => {
		const path = `body.properties.${key}`;
		if (!isPlainObject(raw)) throw bodyFailed(path, 'an object', raw);
		const given = PROPERTY_TYPES.find((type) => type in raw) ?? (Object.keys(raw).find((k) => k !== 'type' && k !== 'id') as string | undefined);
		if (given !== property.type) throw validation(`${key} is expected to be ${property.type}.`);
		if (raw.type !== undefined && raw.type !== property.type) throw validation(`${key} is expected to be ${property.type}.`);
		const value = raw[property.type];
		const at = `${path}.${property.type}`;
		switch (property.type) {
			case 'title':
			case 'rich_text':
				return { type: property.type, value: richTextInput(value, at) };
			case 'email':
			case 'phone_number':
			case 'url':
				if (value !== null && typeof value !== 'string') throw bodyFailed(at, 'a string or `null`', value);
				if (typeof value === 'string' && value.length > TEXT_LIMIT) throw bodyFailed(`${at}.length`, `≤ \`${TEXT_LIMIT}\``, value.length);
				return { type: property.type, value: value === '' ? null : (value as string | null) };
			case 'number':
				if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) throw bodyFailed(at, 'a number or `null`', value);
				return { type: 'number', value: value as number | null };
			case 'checkbox':
				if (typeof value !== 'boolean') throw bodyFailed(at, 'a boolean', value);
				return { type: 'checkbox', value };
			case 'select': {
				if (value === null) return { type: 'select', value: null };
				if (!isPlainObject(value) || (typeof value.name !== 'string' && typeof value.id !== 'string')) {
					throw bodyFailed(at, 'an object with a name or an id, or `null`', value);
				}
				const options = (property.options ??= []);
				if (typeof value.id === 'string') {
					const option = options.find((candidate) => candidate.id === value.id);
					if (!option) throw validation(`Select option with id ${value.id} not found for property ${key}.`);
					return { type: 'select', value: option };
				}
				const name = (value.name as string).trim();
				if (name === '') throw bodyFailed(`${at}.name`, 'a non-empty string', value.name);
				if (name.includes(',')) throw validation(`Select option names cannot contain commas: ${name}.`);
				let option = options.find((candidate) => candidate.name === name);
				if (!option) {
					// Notion creates an option named by a page value that the schema does not have yet.
					option = { id: propertyId(new Set(options.map((candidate) => candidate.id))), name, color: 'default' };
					options.push(option);
				}
				return { type: 'select', value: option };
			}
			case 'date': {
				if (value === null) return { type: 'date', value: null };
				if (!isPlainObject(value)) throw bodyFailed(at, 'an object or `null`', value);
				if (typeof value.start !== 'string' || !ISO_DATE.test(value.start) || Number.isNaN(Date.parse(value.start))) {
					throw bodyFailed(`${at}.start`, 'a valid ISO 8601 date string', value.start);
				}
				const end = value.end ?? null;
				if (end !== null && (typeof end !== 'string' || !ISO_DATE.test(end))) throw bodyFailed(`${at}.end`, 'a valid ISO 8601 date string or `null`', end);
				const timeZone = value.time_zone ?? null;
				if (timeZone !== null && typeof timeZone !== 'string') throw bodyFailed(`${at}.time_zone`, 'a string or `null`', timeZone);
				return { type: 'date', value: { start: value.start, end: end as string | null, time_zone: timeZone as string | null } };
			}
		}
	};

	const propertyValues = (source: DataSource, raw: unknown, required: boolean): Map<string, StoredValue> => {
		if (raw === undefined && !required) return new Map();
		if (!isPlainObject(raw)) throw bodyFailed('body.properties', 'an object', raw);
		const values = new Map<string, StoredValue>();
		const unknown = Object.keys(raw).filter((key) => !schemaProperty(source, key));
		if (unknown.length > 0) throw validation(unknown.map((key) => `${key} is not a property that exists.`).join(' '));
		for (const [key, value] of Object.entries(raw)) {
			const property = schemaProperty(source, key)!;
			values.set(property.name, propertyValue(property, key, value));
		}
		return values;
	};

	const jsonBody = (request: RecordedRequest): Record<string, unknown> => {
		if (request.rawBody === '') return {};
		if (request.json === undefined) throw notionError(400, 'invalid_json', 'Error parsing JSON body.');
		if (mediaType(request) !== 'application/json') throw notionError(400, 'invalid_json', 'Error parsing JSON body.');
		if (!isPlainObject(request.json)) throw bodyFailed('body', 'an object', request.json);
		return request.json;
	};

	const plainOf = (value: StoredValue): string | number | boolean | null => {
		switch (value.type) {
			case 'title':
			case 'rich_text':
				return plainText(value.value);
			case 'select':
				return value.value?.name ?? null;
			case 'date':
				return value.value?.start ?? null;
			default:
				return value.value;
		}
	};

	// ----- query: filters and sorts -----

	type Predicate = (page: Page) => boolean;

	const textCondition = (condition: Record<string, unknown>, at: string): ((text: string) => boolean) => {
		const ops = Object.keys(condition);
		if (ops.length !== 1) throw bodyFailed(at, 'an object with exactly one condition', condition);
		const op = ops[0]!;
		const operand = condition[op];
		if (op === 'is_empty' || op === 'is_not_empty') {
			if (operand !== true) throw bodyFailed(`${at}.${op}`, '`true`', operand);
			return op === 'is_empty' ? (text) => text === '' : (text) => text !== '';
		}
		if (typeof operand !== 'string') throw bodyFailed(`${at}.${op}`, 'a string', operand);
		const tests: Record<string, (text: string) => boolean> = {
			equals: (text) => text === operand,
			does_not_equal: (text) => text !== operand,
			contains: (text) => text.toLowerCase().includes(operand.toLowerCase()),
			does_not_contain: (text) => !text.toLowerCase().includes(operand.toLowerCase()),
			starts_with: (text) => text.toLowerCase().startsWith(operand.toLowerCase()),
			ends_with: (text) => text.toLowerCase().endsWith(operand.toLowerCase()),
		};
		const test = tests[op];
		if (!test) throw validation(`body failed validation: ${at}.${op} is not a supported text filter condition.`);
		return test;
	};

	const numberCondition = (condition: Record<string, unknown>, at: string): ((value: number | null) => boolean) => {
		const ops = Object.keys(condition);
		if (ops.length !== 1) throw bodyFailed(at, 'an object with exactly one condition', condition);
		const op = ops[0]!;
		const operand = condition[op];
		if (op === 'is_empty' || op === 'is_not_empty') {
			if (operand !== true) throw bodyFailed(`${at}.${op}`, '`true`', operand);
			return op === 'is_empty' ? (value) => value === null : (value) => value !== null;
		}
		if (typeof operand !== 'number') throw bodyFailed(`${at}.${op}`, 'a number', operand);
		const tests: Record<string, (value: number) => boolean> = {
			equals: (value) => value === operand,
			does_not_equal: (value) => value !== operand,
			greater_than: (value) => value > operand,
			less_than: (value) => value < operand,
			greater_than_or_equal_to: (value) => value >= operand,
			less_than_or_equal_to: (value) => value <= operand,
		};
		const test = tests[op];
		if (!test) throw validation(`body failed validation: ${at}.${op} is not a supported number filter condition.`);
		return (value) => value !== null && test(value);
	};

	const dateCondition = (condition: Record<string, unknown>, at: string): ((start: string | null) => boolean) => {
		const ops = Object.keys(condition);
		if (ops.length !== 1) throw bodyFailed(at, 'an object with exactly one condition', condition);
		const op = ops[0]!;
		const operand = condition[op];
		if (op === 'is_empty' || op === 'is_not_empty') {
			if (operand !== true) throw bodyFailed(`${at}.${op}`, '`true`', operand);
			return op === 'is_empty' ? (start) => start === null : (start) => start !== null;
		}
		if (typeof operand !== 'string' || Number.isNaN(Date.parse(operand))) throw bodyFailed(`${at}.${op}`, 'a valid ISO 8601 date string', operand);
		const at0 = Date.parse(operand);
		const tests: Record<string, (time: number) => boolean> = {
			equals: (time) => time === at0,
			before: (time) => time < at0,
			after: (time) => time > at0,
			on_or_before: (time) => time <= at0,
			on_or_after: (time) => time >= at0,
		};
		const test = tests[op];
		if (!test) throw validation(`body failed validation: ${at}.${op} is not a supported date filter condition.`);
		return (start) => start !== null && test(Date.parse(start));
	};

	const compileFilter = (source: DataSource, filter: unknown, at: string, depth: number): Predicate => {
		if (!isPlainObject(filter)) throw bodyFailed(at, 'an object', filter);
		for (const compound of ['and', 'or'] as const) {
			if (compound in filter) {
				const list = filter[compound];
				if (!Array.isArray(list)) throw bodyFailed(`${at}.${compound}`, 'an array', list);
				if (depth >= 2) throw validation(`body failed validation: ${at} nests compound filters more than two levels deep.`);
				const parts = list.map((part, index) => compileFilter(source, part, `${at}.${compound}[${index}]`, depth + 1));
				return compound === 'and' ? (page) => parts.every((part) => part(page)) : (page) => parts.some((part) => part(page));
			}
		}
		if (typeof filter.property !== 'string') throw bodyFailed(`${at}.property`, 'a string', filter.property);
		const property = schemaProperty(source, filter.property);
		if (!property) throw validation(`Could not find property with name or id: ${filter.property}.`);
		const typeKey = Object.keys(filter).find((key) => key !== 'property' && key !== 'type');
		if (typeKey === undefined) throw bodyFailed(`${at}.${property.type}`, 'defined', undefined);
		const textual = ['title', 'rich_text', 'email', 'phone_number', 'url'];
		// Notion takes the condition under the property's own type (a title filtered with `rich_text` is refused here:
		// the fake is strict where Notion's leniency is not documented).
		if (typeKey !== property.type) {
			throw validation(`body failed validation: ${at}.${typeKey} does not match the type of property "${property.name}", which is ${property.type}.`);
		}
		const condition = filter[typeKey];
		if (!isPlainObject(condition)) throw bodyFailed(`${at}.${typeKey}`, 'an object', condition);
		const valueOf = (page: Page) => page.values.get(property.name) ?? emptyValue(property.type);
		if (textual.includes(property.type)) {
			const test = textCondition(condition, `${at}.${typeKey}`);
			return (page) => test(String(plainOf(valueOf(page)) ?? ''));
		}
		switch (property.type) {
			case 'number': {
				const test = numberCondition(condition, `${at}.number`);
				return (page) => test(plainOf(valueOf(page)) as number | null);
			}
			case 'date': {
				const test = dateCondition(condition, `${at}.date`);
				return (page) => test(plainOf(valueOf(page)) as string | null);
			}
			case 'checkbox': {
				const ops = Object.keys(condition);
				const op = ops[0];
				if (ops.length !== 1 || (op !== 'equals' && op !== 'does_not_equal') || typeof condition[op] !== 'boolean') {
					throw bodyFailed(`${at}.checkbox`, 'an object with equals or does_not_equal (a boolean)', condition);
				}
				return (page) => (plainOf(valueOf(page)) === condition[op]) === (op === 'equals');
			}
			case 'select': {
				const ops = Object.keys(condition);
				const op = ops[0];
				if (ops.length !== 1) throw bodyFailed(`${at}.select`, 'an object with exactly one condition', condition);
				if (op === 'is_empty' || op === 'is_not_empty') {
					if (condition[op] !== true) throw bodyFailed(`${at}.select.${op}`, '`true`', condition[op]);
					return (page) => (plainOf(valueOf(page)) === null) === (op === 'is_empty');
				}
				if ((op !== 'equals' && op !== 'does_not_equal') || typeof condition[op] !== 'string') {
					throw bodyFailed(`${at}.select`, 'an object with equals, does_not_equal (a string), is_empty or is_not_empty', condition);
				}
				return (page) => (plainOf(valueOf(page)) === condition[op]) === (op === 'equals');
			}
			default:
				throw validation(`The fake cannot filter ${property.type} properties.`);
		}
	};

	const compileSorts = (source: DataSource, sorts: unknown): ((a: Page, b: Page) => number) | undefined => {
		if (sorts === undefined) return undefined;
		if (!Array.isArray(sorts)) throw bodyFailed('body.sorts', 'an array', sorts);
		const keys = sorts.map((sort: unknown, index) => {
			const at = `body.sorts[${index}]`;
			if (!isPlainObject(sort)) throw bodyFailed(at, 'an object', sort);
			if (sort.direction !== 'ascending' && sort.direction !== 'descending') throw bodyFailed(`${at}.direction`, '`"ascending"` or `"descending"`', sort.direction);
			const sign = sort.direction === 'ascending' ? 1 : -1;
			if (sort.timestamp !== undefined) {
				if (sort.timestamp !== 'created_time' && sort.timestamp !== 'last_edited_time') throw bodyFailed(`${at}.timestamp`, '`"created_time"` or `"last_edited_time"`', sort.timestamp);
				const field = sort.timestamp === 'created_time' ? 'createdTime' : 'lastEditedTime';
				return (a: Page, b: Page) => sign * a[field].localeCompare(b[field]);
			}
			if (typeof sort.property !== 'string') throw bodyFailed(`${at}.property`, 'a string', sort.property);
			const property = schemaProperty(source, sort.property);
			if (!property) throw validation(`Could not find sort property with name or id: ${sort.property}.`);
			const valueOf = (page: Page) => plainOf(page.values.get(property.name) ?? emptyValue(property.type));
			return (a: Page, b: Page) => {
				const x = valueOf(a);
				const y = valueOf(b);
				if (x === y) return 0;
				if (x === null || x === '') return 1; // empties last, either direction
				if (y === null || y === '') return -1;
				return sign * (x < y ? -1 : 1);
			};
		});
		return (a, b) => {
			for (const key of keys) {
				const order = key(a, b);
				if (order !== 0) return order;
			}
			return 0;
		};
	};

	// ----- routes -----

	const retrieveDataSource = (_request: RecordedRequest, token: string, id: string): FakeReply => ({
		status: 200,
		body: dataSourceObject(findDataSource(id, token)),
	});

	const queryDataSource = (request: RecordedRequest, token: string, id: string): FakeReply => {
		const source = findDataSource(id, token);
		const body = jsonBody(request);
		const pageSize = body.page_size ?? PAGE_SIZE_MAX;
		if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE_SIZE_MAX) {
			throw bodyFailed('body.page_size', `an integer between 1 and ${PAGE_SIZE_MAX}`, pageSize);
		}
		const inTrash = body.in_trash ?? body.archived ?? false;
		if (typeof inTrash !== 'boolean') throw bodyFailed('body.in_trash', 'a boolean', inTrash);
		const predicate = body.filter === undefined ? () => true : compileFilter(source, body.filter, 'body.filter', 0);
		const order = compileSorts(source, body.sorts);
		let matching = [...pages.values()].filter((page) => page.dataSourceId === source.id && page.inTrash === inTrash && predicate(page));
		if (order) matching = [...matching].sort(order);
		let start = 0;
		if (body.start_cursor !== undefined) {
			const cursor = body.start_cursor;
			if (typeof cursor !== 'string' || !isNotionId(cursor)) throw bodyFailed('body.start_cursor', 'a valid uuid', cursor);
			start = matching.findIndex((page) => normaliseId(page.id) === normaliseId(cursor));
			if (start < 0) throw validation(`start_cursor provided is invalid: ${cursor}`);
		}
		const results = matching.slice(start, start + pageSize);
		const next = matching[start + pageSize];
		return {
			status: 200,
			body: {
				object: 'list',
				results: results.map(pageObject),
				next_cursor: next ? next.id : null,
				has_more: next !== undefined,
				type: 'page_or_data_source',
				page_or_data_source: {},
				request_id: randomUUID(),
			},
		};
	};

	const createPage = (request: RecordedRequest, token: string): FakeReply => {
		const body = jsonBody(request);
		const parent = body.parent;
		if (!isPlainObject(parent)) throw bodyFailed('body.parent', 'defined', parent);
		if (parent.type !== undefined && parent.type !== 'data_source_id') {
			throw validation(`body failed validation: body.parent.type should be \`"data_source_id"\` (the fake creates pages in data sources only), instead was ${show(parent.type)}.`);
		}
		if (typeof parent.data_source_id !== 'string') throw bodyFailed('body.parent.data_source_id', 'defined', parent.data_source_id);
		if (!isNotionId(parent.data_source_id)) throw bodyFailed('body.parent.data_source_id', 'a valid uuid', parent.data_source_id);
		const source = findDataSource(parent.data_source_id, token);
		const values = propertyValues(source, body.properties, false);
		const time = stamp();
		const page: Page = { id: randomUUID(), dataSourceId: source.id, values, inTrash: false, createdTime: time, lastEditedTime: time, createdBy: USER_ID };
		pages.set(normaliseId(page.id), page);
		return { status: 200, body: { ...pageObject(page), request_id: randomUUID() } };
	};

	const updatePage = (request: RecordedRequest, token: string, id: string): FakeReply => {
		const page = findPage(id, token);
		const source = dataSources.get(normaliseId(page.dataSourceId))!;
		const body = jsonBody(request);
		const values = propertyValues(source, body.properties, false);
		const trash = body.in_trash ?? body.archived;
		if (trash !== undefined && typeof trash !== 'boolean') throw bodyFailed('body.in_trash', 'a boolean', trash);
		if (page.inTrash && trash !== false && values.size > 0) {
			throw validation("Can't edit block that is archived. You must unarchive the block before editing.");
		}
		for (const [name, value] of values) page.values.set(name, value);
		if (trash !== undefined) page.inTrash = trash;
		page.lastEditedTime = stamp();
		return { status: 200, body: { ...pageObject(page), request_id: randomUUID() } };
	};

	const rateLimited = (token: string, arrival: number): boolean => {
		const limit = options.rateLimit;
		if (!limit) return false;
		const recent = (times.get(token) ?? []).filter((time) => time > arrival - limit.perMs);
		return recent.length > limit.requests;
	};

	const server = await startFakeServer((request) => {
		const arrival = now();
		const token = bearerToken(request);
		if (token !== undefined) {
			const list = times.get(token) ?? [];
			list.push(arrival);
			times.set(token, list);
		}
		if (token === undefined || !tokens.has(token)) throw notionError(401, 'unauthorized', 'API token is invalid.');
		const version = request.headers['notion-version'];
		if (version === undefined || version === '') {
			throw notionError(400, 'missing_version', 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.');
		}
		if (version !== NOTION_VERSION) {
			throw notionError(400, 'invalid_request', `Unsupported Notion-Version ${JSON.stringify(version)}: this fake serves ${NOTION_VERSION} (data sources) only.`);
		}
		if (rateLimited(token, arrival)) {
			throw notionError(429, 'rate_limited', DEFAULT_MESSAGES.rate_limited!, { 'retry-after': String(options.rateLimit!.retryAfterSeconds ?? 1) });
		}
		const segments = request.path.split('/').filter(Boolean);
		const [, resource, id, action] = segments;
		const route =
			segments[0] === 'v1' && segments.length <= 4
				? `${request.method} ${resource}${id === undefined ? '' : '/:id'}${action === undefined ? '' : `/${action}`}`
				: '';
		const routes: Record<string, { write: boolean; run: () => FakeReply }> = {
			'GET data_sources/:id': { write: false, run: () => retrieveDataSource(request, token, id!) },
			'POST data_sources/:id/query': { write: false, run: () => queryDataSource(request, token, id!) },
			'POST pages': { write: true, run: () => createPage(request, token) },
			'PATCH pages/:id': { write: true, run: () => updatePage(request, token, id!) },
		};
		const handler = routes[route];
		const failure = failures.take() ?? (handler?.write ? writeFailures.take() : handler ? readFailures.take() : undefined);
		if (failure) {
			const code = failure.code ?? DEFAULT_CODES[failure.status] ?? 'internal_server_error';
			const headers: Record<string, string> = {};
			if (failure.retryAfter !== undefined || failure.status === 429) headers['retry-after'] = String(failure.retryAfter ?? 1);
			throw notionError(failure.status, code, failure.message ?? DEFAULT_MESSAGES[code] ?? 'Request failed.', headers);
		}
		const reply = handler?.run();
		const write = handler?.write === true;
		if (!reply) throw notionError(400, 'invalid_request_url', 'Invalid request URL.');
		if (write && drops.take()) return { ...reply, dropAnswer: true };
		return reply;
	});

	return {
		...server,
		addDataSource(input) {
			const id = dashed(input.id ?? randomUUID());
			if (!isNotionId(id)) throw new Error(`data source id must be a UUID, got ${input.id}`);
			if (dataSources.has(normaliseId(id))) throw new Error(`data source ${id} exists already`);
			const entries = Object.entries(input.properties);
			const titles = entries.filter(([, spec]) => (typeof spec === 'string' ? spec : spec.type) === 'title');
			if (titles.length !== 1) throw new Error(`a data source has exactly one title property, got ${titles.length}`);
			const taken = new Set<string>();
			const properties = new Map<string, SchemaProperty>();
			for (const [name, spec] of entries) {
				const type = typeof spec === 'string' ? spec : spec.type;
				if (!PROPERTY_TYPES.includes(type)) throw new Error(`unsupported property type ${type} for ${name}`);
				const pid = type === 'title' ? 'title' : propertyId(taken);
				taken.add(pid);
				const property: SchemaProperty = { id: pid, name, type };
				if (typeof spec !== 'string' && spec.type === 'select') {
					property.options = spec.options.map((option) => ({ id: propertyId(taken), name: option, color: 'default' }));
				}
				if (typeof spec !== 'string' && spec.type === 'number') property.numberFormat = spec.format;
				properties.set(name, property);
			}
			const source: DataSource = {
				id,
				databaseId: randomUUID(),
				title: input.title ?? 'Leads',
				properties,
				sharedWith: input.sharedWith ? new Set(input.sharedWith) : undefined,
				createdTime: stamp(),
			};
			dataSources.set(normaliseId(id), source);
			return { id, databaseId: source.databaseId, propertyIds: Object.fromEntries([...properties.values()].map((p) => [p.name, p.id])) };
		},
		pages(dataSourceId) {
			const source = dataSources.get(normaliseId(dataSourceId));
			if (!source) throw new Error(`unknown data source ${dataSourceId}`);
			return [...pages.values()]
				.filter((page) => page.dataSourceId === source.id)
				.map((page) => ({
					id: page.id,
					dataSourceId: source.id,
					inTrash: page.inTrash,
					createdTime: page.createdTime,
					lastEditedTime: page.lastEditedTime,
					properties: Object.fromEntries(
						[...source.properties.values()].map((property) => [property.name, plainOf(page.values.get(property.name) ?? emptyValue(property.type))]),
					),
				}));
		},
		allowToken: (token) => void tokens.add(token),
		share(dataSourceId, token, shared = true) {
			const source = dataSources.get(normaliseId(dataSourceId));
			if (!source) throw new Error(`unknown data source ${dataSourceId}`);
			source.sharedWith ??= new Set(tokens);
			if (shared) source.sharedWith.add(token);
			else source.sharedWith.delete(token);
		},
		failNext: (count, failure) =>
			(failure.only === 'write' ? writeFailures : failure.only === 'read' ? readFailures : failures).push(count, failure),
		dropAnswerAfterWriteNext: (count) => drops.push(count, true),
		requestTimes: (token) => [...(times.get(token) ?? [])],
	};
}
