import Airtable from 'airtable';

import { AIRTABLE_SCOPES, type FakeAirtable, startFakeAirtable } from '../../fakes/airtable';

const TOKEN = 'patSkyBotFake.0123456789abcdef';
const BASE = 'appSkyBotLeads001';

let fake: FakeAirtable;

beforeEach(async () => {
	fake = await startFakeAirtable();
	fake.addToken(TOKEN);
	fake.addBase(BASE);
	fake.addTable(BASE, {
		name: 'Leads',
		id: 'tblSkyBotLeads0001',
		fields: { 'Lead Key': 'singleLineText', Name: 'singleLineText', Email: 'email', Score: 'number', Status: { type: 'singleSelect', choices: ['New', 'Qualified'] } },
	});
});
afterEach(() => fake.close());

/** The real SDK as the hub builds it, pointed at the fake; 429s surface instead of the SDK's own 5 s+ backoff. */
const base = (token = TOKEN, baseId = BASE) => new Airtable({ apiKey: token, endpointUrl: fake.url, noRetryIfRateLimited: true }).base(baseId);
const leads = () => base()('Leads');

interface UpsertBody {
	records: { id: string; fields: Record<string, unknown> }[];
	createdRecords: string[];
	updatedRecords: string[];
}
/** The upsert through the SDK's own transport, keeping Airtable's whole answer (the REST shape). */
const upsertRest = async (records: { fields: Record<string, unknown> }[], typecast = false) =>
	(await base().makeRequest({ method: 'PATCH', path: '/Leads', body: { performUpsert: { fieldsToMergeOn: ['Lead Key'] }, records, typecast } })).body as UpsertBody;

const raw = (path: string, init: RequestInit = {}, token = TOKEN) =>
	fetch(`${fake.url}/v0/${BASE}${path}`, {
		...init,
		headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) },
	});
const errorOf = async (response: Response) => ((await response.json()) as { error: { type: string; message: string } }).error;

describe('fake Airtable with the real SDK (airtable 0.12)', () => {
	it('creates, lists with filterByFormula and pages, and updates by id', async () => {
		const created = await leads().create([{ fields: { 'Lead Key': 'lead-1', Name: 'Ada', Email: 'ada@example.com', Score: 3 } }, { fields: { 'Lead Key': 'lead-2', Name: 'Bob' } }]);
		expect(created.map((record) => record.get('Lead Key'))).toEqual(['lead-1', 'lead-2']);
		expect(created[0]!.id).toMatch(/^rec[A-Za-z0-9]{14}$/);

		const found = await leads().select({ filterByFormula: "{Lead Key} = 'lead-2'" }).firstPage();
		expect(found.map((record) => record.id)).toEqual([created[1]!.id]);

		await leads().create(Array.from({ length: 3 }, (_, n) => ({ fields: { 'Lead Key': `lead-${n + 3}` } })));
		const pages: number[] = [];
		await leads()
			.select({ pageSize: 2, fields: ['Lead Key'] })
			.eachPage((records, next) => {
				pages.push(records.length);
				expect(records.every((record) => Object.keys(record.fields).every((name) => name === 'Lead Key'))).toBe(true);
				next();
			});
		expect(pages).toEqual([2, 2, 1]);

		const updated = await leads().update([{ id: created[0]!.id, fields: { Score: 9 } }]);
		expect(updated[0]!.fields).toEqual({ 'Lead Key': 'lead-1', Name: 'Ada', Email: 'ada@example.com', Score: 9 });
		const one = await leads().update(created[1]!.id, { Name: 'Bobby' });
		expect(one.get('Name')).toBe('Bobby');
		expect((await leads().find(created[1]!.id)).get('Name')).toBe('Bobby');
		expect(fake.records(BASE, 'Leads')).toHaveLength(5);
		expect(fake.records(BASE, 'tblSkyBotLeads0001')[0]!.fields.Score).toBe(9);
	});

	it('upserts by fieldsToMergeOn: creates then updates, and only the REST shape tells which', async () => {
		// The SDK's table.update sends performUpsert (its options go into the body) but answers Record objects only.
		const viaSdk = await leads().update([{ fields: { 'Lead Key': 'lead-1', Name: 'Ada' } } as never], { performUpsert: { fieldsToMergeOn: ['Lead Key'] } } as never);
		expect(viaSdk).toHaveLength(1);
		expect(viaSdk[0]).not.toHaveProperty('createdRecords');
		expect(fake.requests.at(-1)!.response).toMatchObject({ createdRecords: [viaSdk[0]!.id], updatedRecords: [] });

		const second = await upsertRest([{ fields: { 'Lead Key': 'lead-1', Name: 'Ada L.' } }, { fields: { 'Lead Key': 'lead-2', Name: 'Bob', Score: '7' } }], true);
		expect(second.updatedRecords).toEqual([viaSdk[0]!.id]);
		expect(second.createdRecords).toEqual([second.records[1]!.id]);
		expect(second.records[1]!.fields.Score).toBe(7);
		expect(fake.records(BASE, 'Leads').map((record) => record.fields)).toEqual([
			{ 'Lead Key': 'lead-1', Name: 'Ada L.' },
			{ 'Lead Key': 'lead-2', Name: 'Bob', Score: 7 },
		]);
	});

	it('drops the answer after writing: the SDK sees a connection error, the retried upsert updates instead of duplicating', async () => {
		fake.dropAnswerAfterWriteNext();
		await expect(upsertRest([{ fields: { 'Lead Key': 'lead-1', Name: 'Ada' } }])).rejects.toMatchObject({ error: 'CONNECTION_ERROR' });
		expect(fake.records(BASE, 'Leads')).toHaveLength(1);
		expect(fake.requests.at(-1)!.dropped).toBe(true);
		const retry = await upsertRest([{ fields: { 'Lead Key': 'lead-1', Name: 'Ada' } }]);
		expect(retry.createdRecords).toEqual([]);
		expect(retry.updatedRecords).toEqual([fake.records(BASE, 'Leads')[0]!.id]);
		expect(fake.records(BASE, 'Leads')).toHaveLength(1);

		// table.create has no merge key: the same drop there shows why the hub must not retry a create blindly.
		fake.dropAnswerAfterWriteNext();
		await expect(leads().create([{ fields: { 'Lead Key': 'lead-2' } }])).rejects.toBeDefined();
		expect(fake.records(BASE, 'Leads')).toHaveLength(2);
	});

	it('refuses more than 10 records per request with 422, writing none', async () => {
		const eleven = Array.from({ length: 11 }, (_, n) => ({ fields: { 'Lead Key': `k${n}` } }));
		await expect(leads().create(eleven)).rejects.toMatchObject({ error: 'INVALID_RECORDS', statusCode: 422, message: expect.stringContaining('maximum of 10 records') });
		await expect(upsertRest(eleven)).rejects.toMatchObject({ error: 'INVALID_RECORDS', statusCode: 422 });
		expect(fake.records(BASE, 'Leads')).toEqual([]);
	});

	it.each([
		['an unknown field', [{ fields: { Nope: 'x' } }], 'UNKNOWN_FIELD_NAME'],
		['a text for a number field', [{ fields: { Score: 'high' } }], 'INVALID_VALUE_FOR_COLUMN'],
		['an invalid email', [{ fields: { Email: 'not-an-email' } }], 'INVALID_VALUE_FOR_COLUMN'],
		['a new select option without typecast', [{ fields: { Status: 'Won' } }], 'INVALID_MULTIPLE_CHOICE_OPTIONS'],
	])('refuses %s with 422 through the SDK, writing none of the batch', async (_case, records, type) => {
		await expect(leads().create([{ fields: { 'Lead Key': 'ok' } }, ...records] as never)).rejects.toMatchObject({ statusCode: 422, error: type });
		expect(fake.records(BASE, 'Leads')).toEqual([]);
	});

	it('typecasts numbers and new select options when asked', async () => {
		const [record] = await leads().create([{ fields: { 'Lead Key': 'k', Score: '12', Status: 'Won' } }], { typecast: true });
		expect(record!.fields).toEqual({ 'Lead Key': 'k', Score: 12, Status: 'Won' });
	});

	it('answers 401 without or with an unknown token, 403 for a base or table the token cannot reach', async () => {
		await expect(base('patUnknown').table('Leads').select().firstPage()).rejects.toMatchObject({ statusCode: 401, error: 'AUTHENTICATION_REQUIRED' });
		const none = await raw('/Leads', {}, '');
		expect(none.status).toBe(401);
		expect(await errorOf(none)).toEqual({ type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' });

		fake.addToken('patOtherBase', { bases: ['appSomethingElse0'] });
		const other = await raw('/Leads', {}, 'patOtherBase');
		expect(other.status).toBe(403);
		expect((await errorOf(other)).type).toBe('INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND');
		await expect(base(TOKEN, 'appUnknownBase00').table('Leads').select().firstPage()).rejects.toMatchObject({ statusCode: 403 });
		await expect(base().table('Contacts').select().firstPage()).rejects.toMatchObject({ statusCode: 403 });

		fake.addToken('patReadOnly', { scopes: [AIRTABLE_SCOPES.read] });
		await expect(base('patReadOnly')('Leads').select().firstPage()).resolves.toEqual([]);
		await expect(base('patReadOnly')('Leads').create([{ fields: { 'Lead Key': 'k' } }])).rejects.toMatchObject({ statusCode: 403 });
	});

	it('answers 404 for an unknown record or route, 422 for a bad formula, offset, pageSize or parameter', async () => {
		await expect(leads().find('recAAAAAAAAAAAAAA')).rejects.toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
		expect((await fetch(`${fake.url}/v1/${BASE}/Leads`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
		await expect(leads().select({ filterByFormula: 'OR({Name}, 1)' }).firstPage()).rejects.toMatchObject({ statusCode: 422, error: 'INVALID_FILTER_BY_FORMULA' });
		await expect(leads().select({ filterByFormula: "{Nope} = 'x'" }).firstPage()).rejects.toMatchObject({ statusCode: 422, error: 'INVALID_FILTER_BY_FORMULA' });
		expect((await errorOf(await raw('/Leads?offset=itrBogus/recBogus'))).type).toBe('INVALID_OFFSET_VALUE');
		expect((await errorOf(await raw('/Leads?pageSize=101'))).type).toBe('INVALID_REQUEST_UNKNOWN');
		const extra = await raw('/Leads', { method: 'POST', body: JSON.stringify({ records: [{ fields: { 'Lead Key': 'k' } }], upsert: true }) });
		expect(extra.status).toBe(422);
		expect((await errorOf(extra)).type).toBe('INVALID_REQUEST_UNKNOWN');
		const noId = await raw('/Leads', { method: 'PATCH', body: JSON.stringify({ records: [{ fields: { 'Lead Key': 'k' } }] }) });
		expect((await errorOf(noId)).type).toBe('INVALID_REQUEST_UNKNOWN');
		const ghost = await raw('/Leads', { method: 'PATCH', body: JSON.stringify({ records: [{ id: 'recAAAAAAAAAAAAAA', fields: {} }] }) });
		expect((await errorOf(ghost)).type).toBe('ROW_DOES_NOT_EXIST');
		const badJson = await raw('/Leads', { method: 'POST', body: '{"records":' });
		expect(badJson.status).toBe(400);
	});

	it('refuses an upsert whose merge key matches several records, or is missing', async () => {
		await leads().create([{ fields: { 'Lead Key': 'dup' } }, { fields: { 'Lead Key': 'dup' } }]);
		await expect(upsertRest([{ fields: { 'Lead Key': 'dup', Name: 'x' } }])).rejects.toMatchObject({ statusCode: 422, error: 'INVALID_RECORDS' });
		await expect(upsertRest([{ fields: { Name: 'no key' } }])).rejects.toMatchObject({ statusCode: 422 });
		expect(fake.records(BASE, 'Leads')).toHaveLength(2);
	});

	it('answers scripted 429 with Retry-After and 5xx in the Airtable envelope', async () => {
		fake.failNext(1, { status: 429 });
		const limited = await raw('/Leads');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('30');
		expect(await errorOf(limited)).toEqual({ type: 'RATE_LIMIT_REACHED', message: 'Rate limit exceeded. Please try again later' });
		fake.failNext(1, { status: 429 });
		await expect(leads().select().firstPage()).rejects.toMatchObject({ statusCode: 429, error: 'TOO_MANY_REQUESTS' });
		fake.failNext(2, { status: 503 });
		await expect(leads().create([{ fields: { 'Lead Key': 'k' } }])).rejects.toMatchObject({ statusCode: 503 });
		await expect(upsertRest([{ fields: { 'Lead Key': 'k' } }])).rejects.toMatchObject({ statusCode: 503 });
		expect(fake.records(BASE, 'Leads')).toEqual([]);
		await expect(leads().select().firstPage()).resolves.toEqual([]);
	});

	it('counts requests per base per second, and enforces 5/s with a penalty when asked', async () => {
		await Promise.all(Array.from({ length: 4 }, () => leads().select().firstPage()));
		expect(fake.requestTimes(BASE)).toHaveLength(4);
		expect(fake.peakRequestsPerSecond(BASE)).toBe(4);

		let clock = 1_000_000;
		const limited = await startFakeAirtable({ rateLimit: { perSecond: 5, penaltyMs: 30_000 }, now: () => clock });
		try {
			limited.addToken(TOKEN);
			limited.addBase(BASE);
			limited.addTable(BASE, { name: 'Leads', fields: { 'Lead Key': 'singleLineText' } });
			const get = () => fetch(`${limited.url}/v0/${BASE}/Leads`, { headers: { authorization: `Bearer ${TOKEN}` } });
			const statuses: number[] = [];
			for (let n = 0; n < 6; n += 1) statuses.push((await get()).status);
			expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
			clock += 2_000;
			const penalised = await get();
			expect(penalised.status).toBe(429);
			expect(penalised.headers.get('retry-after')).toBe('28');
			clock += 28_000;
			expect((await get()).status).toBe(200);
			expect(limited.peakRequestsPerSecond(BASE)).toBe(6);
		} finally {
			await limited.close();
		}
	});
});
