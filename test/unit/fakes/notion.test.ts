import { APIErrorCode, APIResponseError, Client, collectPaginatedAPI, isFullPage, LogLevel, type RetryOptions } from '@notionhq/client';

import { FAKE_NOTION_TOKEN, type FakeNotion, NOTION_VERSION, startFakeNotion } from '../../fakes/notion';

const LEADS = {
	Name: 'title',
	'SkyBot ID': 'rich_text',
	Email: 'email',
	Phone: 'phone_number',
	Status: { type: 'select', options: ['New', 'Qualified'] },
	Score: 'number',
	'First contact': 'date',
} as const;

let fake: FakeNotion;
let dataSourceId: string;

beforeEach(async () => {
	fake = await startFakeNotion();
	dataSourceId = fake.addDataSource({ title: 'Leads', properties: LEADS }).id;
});
afterEach(() => fake.close());

/** The real SDK as the hub would build it; quiet, and with fast back-off for the retries it does on its own. */
const notion = (auth = FAKE_NOTION_TOKEN, retry: RetryOptions | false = { initialRetryDelayMs: 10 }) =>
	new Client({ auth, baseUrl: fake.url, notionVersion: NOTION_VERSION, logLevel: LogLevel.ERROR, retry });

const text = (content: string) => [{ type: 'text' as const, text: { content } }];
const leadProperties = (skybotId: string, name: string, extra: Record<string, unknown> = {}) => ({
	Name: { title: text(name) },
	'SkyBot ID': { rich_text: text(skybotId) },
	Email: { email: 'ada@example.com' },
	Phone: { phone_number: '+33 6 12 34 56 78' },
	Status: { select: { name: 'New' } },
	Score: { number: 42 },
	'First contact': { date: { start: '2026-12-04' } },
	...extra,
});
const byKey = (skybotId: string) => ({ property: 'SkyBot ID', rich_text: { equals: skybotId } });

/** Upsert as the CRM sync does it: query by the key property, update the hit or create. */
async function upsert(client: Client, skybotId: string, name: string) {
	const found = await client.dataSources.query({ data_source_id: dataSourceId, filter: byKey(skybotId) });
	const properties = leadProperties(skybotId, name) as Parameters<Client['pages']['create']>[0]['properties'];
	if (found.results[0]) return client.pages.update({ page_id: found.results[0].id, properties });
	return client.pages.create({ parent: { type: 'data_source_id', data_source_id: dataSourceId }, properties });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error('expected the call to reject');
}
async function apiError(promise: Promise<unknown>): Promise<APIResponseError> {
	const error = await rejection(promise);
	expect(error).toBeInstanceOf(APIResponseError);
	return error as APIResponseError;
}

describe('fake Notion (2025-09-03) with the real @notionhq/client', () => {
	it('sends Bearer auth and the version header, and serves the data source schema', async () => {
		const source = await notion().dataSources.retrieve({ data_source_id: dataSourceId });
		expect(source).toMatchObject({ object: 'data_source', id: dataSourceId, parent: { type: 'database_id' } });
		expect(source.properties).toMatchObject({
			Name: { id: 'title', name: 'Name', type: 'title', title: {} },
			'SkyBot ID': { type: 'rich_text', rich_text: {} },
			Email: { type: 'email' },
			Phone: { type: 'phone_number' },
			Status: { type: 'select', select: { options: [{ name: 'New' }, { name: 'Qualified' }] } },
			Score: { type: 'number', number: { format: 'number' } },
			'First contact': { type: 'date' },
		});
		const [request] = fake.requests;
		expect(request).toMatchObject({ method: 'GET', path: `/v1/data_sources/${dataSourceId}` });
		expect(request!.headers.authorization).toBe(`Bearer ${FAKE_NOTION_TOKEN}`);
		expect(request!.headers['notion-version']).toBe('2025-09-03');
	});

	it('creates a page, finds it by the key property, then updates it: one page, never two', async () => {
		const client = notion();
		const created = await upsert(client, 'lead-1', 'Ada Lovelace');
		expect(created).toMatchObject({
			object: 'page',
			parent: { type: 'data_source_id', data_source_id: dataSourceId },
			properties: {
				Name: { id: 'title', type: 'title', title: [{ type: 'text', plain_text: 'Ada Lovelace', text: { content: 'Ada Lovelace' } }] },
				'SkyBot ID': { type: 'rich_text', rich_text: [{ plain_text: 'lead-1' }] },
				Email: { type: 'email', email: 'ada@example.com' },
				Status: { type: 'select', select: { name: 'New' } },
				Score: { type: 'number', number: 42 },
				'First contact': { type: 'date', date: { start: '2026-12-04', end: null, time_zone: null } },
			},
		});
		expect(isFullPage(created)).toBe(true);

		const updated = await upsert(client, 'lead-1', 'Ada King');
		expect(updated.id).toBe(created.id);
		// Another lead is a page of its own, and the key filter only matches its own.
		await upsert(client, 'lead-2', 'Charles Babbage');
		const onlyFirst = await client.dataSources.query({ data_source_id: dataSourceId, filter: byKey('lead-1') });
		expect(onlyFirst.results.map((page) => page.id)).toEqual([created.id]);

		expect(fake.pages(dataSourceId)).toEqual([
			expect.objectContaining({ id: created.id, properties: expect.objectContaining({ Name: 'Ada King', 'SkyBot ID': 'lead-1', Score: 42, Status: 'New', 'First contact': '2026-12-04' }) }),
			expect.objectContaining({ properties: expect.objectContaining({ Name: 'Charles Babbage', 'SkyBot ID': 'lead-2' }) }),
		]);
		expect(fake.requests.filter((request) => request.method === 'POST' && request.path === '/v1/pages')).toHaveLength(2);
	});

	it('pages a query with start_cursor / page_size in the list envelope', async () => {
		const client = notion();
		for (let i = 1; i <= 5; i++) await upsert(client, `lead-${i}`, `Lead ${i}`);
		const first = await client.dataSources.query({ data_source_id: dataSourceId, page_size: 2 });
		expect(first).toMatchObject({ object: 'list', has_more: true, type: 'page_or_data_source' });
		expect(first.results).toHaveLength(2);
		expect(first.next_cursor).toEqual(expect.any(String));
		const all = await collectPaginatedAPI(client.dataSources.query, { data_source_id: dataSourceId, page_size: 2 });
		const keyOf = (page: (typeof all)[number]) => {
			const key = isFullPage(page) ? page.properties['SkyBot ID'] : undefined;
			return key?.type === 'rich_text' ? key.rich_text[0]?.plain_text : undefined;
		};
		expect(all.map(keyOf)).toEqual([
			'lead-1',
			'lead-2',
			'lead-3',
			'lead-4',
			'lead-5',
		]);
		const last = await client.dataSources.query({ data_source_id: dataSourceId, page_size: 100, start_cursor: first.next_cursor! });
		expect(last).toMatchObject({ has_more: false, next_cursor: null });
		expect(last.results).toHaveLength(3);
		expect((await apiError(client.dataSources.query({ data_source_id: dataSourceId, page_size: 101 }))).code).toBe(APIErrorCode.ValidationError);
	});

	it('filters by title, number, select and property id, combines with and/or, sorts, and hides trashed pages', async () => {
		const client = notion();
		const ids: Record<string, string> = {};
		for (const [key, name, score, status] of [
			['lead-1', 'Ada', 10, 'New'],
			['lead-2', 'Grace', 30, 'Qualified'],
			['lead-3', 'Alan', 20, 'Qualified'],
		] as const) {
			const page = await client.pages.create({
				parent: { type: 'data_source_id', data_source_id: dataSourceId },
				properties: leadProperties(key, name, { Score: { number: score }, Status: { select: { name: status } } }) as never,
			});
			ids[key] = page.id;
		}
		const query = async (args: Omit<Parameters<Client['dataSources']['query']>[0], 'data_source_id'>) =>
			(await client.dataSources.query({ data_source_id: dataSourceId, ...args })).results.map((page) => page.id);

		expect(await query({ filter: { property: 'Name', title: { equals: 'Grace' } } })).toEqual([ids['lead-2']]);
		const schema = (await client.dataSources.retrieve({ data_source_id: dataSourceId })).properties;
		expect(await query({ filter: { property: schema['SkyBot ID']!.id, rich_text: { equals: 'lead-3' } } })).toEqual([ids['lead-3']]);
		expect(
			await query({
				filter: { and: [{ property: 'Status', select: { equals: 'Qualified' } }, { property: 'Score', number: { greater_than: 25 } }] },
			}),
		).toEqual([ids['lead-2']]);
		expect(await query({ filter: { or: [{ property: 'Name', title: { starts_with: 'a' } }] }, sorts: [{ property: 'Score', direction: 'descending' }] })).toEqual([
			ids['lead-3'],
			ids['lead-1'],
		]);
		// The condition goes under the property's own type.
		expect((await apiError(query({ filter: { property: 'Name', rich_text: { equals: 'Ada' } } }))).code).toBe('validation_error');

		await client.pages.update({ page_id: ids['lead-1']!, in_trash: true });
		expect(await query({})).toEqual([ids['lead-2'], ids['lead-3']]);
		expect(fake.pages(dataSourceId).find((page) => page.id === ids['lead-1'])).toMatchObject({ inTrash: true });
		// A select value the schema lacks becomes a new option, as in Notion.
		await client.pages.update({ page_id: ids['lead-2']!, properties: { Status: { select: { name: 'Won' } } } });
		const status = (await client.dataSources.retrieve({ data_source_id: dataSourceId })).properties.Status!;
		expect(status.type === 'select' && status.select.options.map((option) => option.name)).toEqual(['New', 'Qualified', 'Won']);
	});

	it('refuses property values that do not fit the schema with validation_error, and stores nothing', async () => {
		const client = notion();
		const create = (properties: Record<string, unknown>) =>
			client.pages.create({ parent: { type: 'data_source_id', data_source_id: dataSourceId }, properties: properties as never });

		const unknown = await apiError(create({ ...leadProperties('lead-1', 'Ada'), Nmae: { title: text('Ada') } }));
		expect(unknown).toMatchObject({ status: 400, code: APIErrorCode.ValidationError, message: 'Nmae is not a property that exists.' });

		const wrongType = await apiError(create({ Email: { rich_text: text('ada@example.com') } }));
		expect(wrongType).toMatchObject({ status: 400, code: 'validation_error', message: 'Email is expected to be email.' });

		const wrongValue = await apiError(create({ Score: { number: '42' } }));
		expect(wrongValue.code).toBe('validation_error');
		expect(wrongValue.message).toBe('body failed validation: body.properties.Score.number should be a number or `null`, instead was `"42"`.');

		expect((await apiError(create({ 'First contact': { date: { start: 'yesterday' } } }))).code).toBe('validation_error');
		expect((await apiError(create({ Status: { select: { name: 'a,b' } } }))).code).toBe('validation_error');
		expect(fake.pages(dataSourceId)).toEqual([]);

		// The same checks on update, and on the filter's property.
		const page = await create(leadProperties('lead-1', 'Ada'));
		expect((await apiError(client.pages.update({ page_id: page.id, properties: { Phone: { number: 1 } } as never }))).message).toBe(
			'Phone is expected to be phone_number.',
		);
		const badFilter = await apiError(client.dataSources.query({ data_source_id: dataSourceId, filter: { property: 'Skybot Id', rich_text: { equals: 'x' } } }));
		expect(badFilter).toMatchObject({ code: 'validation_error', message: 'Could not find property with name or id: Skybot Id.' });
		expect(fake.pages(dataSourceId)).toHaveLength(1);
	});

	it('answers 401 for a bad token, 404 for an unknown or unshared data source, 400 missing_version and invalid_json', async () => {
		expect(await apiError(notion('ntn_not_a_real_token').dataSources.retrieve({ data_source_id: dataSourceId }))).toMatchObject({
			status: 401,
			code: APIErrorCode.Unauthorized,
		});

		const unknown = await apiError(notion().dataSources.retrieve({ data_source_id: '00000000-0000-4000-8000-000000000000' }));
		expect(unknown).toMatchObject({ status: 404, code: APIErrorCode.ObjectNotFound });
		expect(unknown.message).toMatch(/^Could not find data_source with ID: 00000000-0000-4000-8000-000000000000\./);

		// A second integration is known to the workspace but the data source was not shared with it.
		fake.allowToken('ntn_otherIntegration');
		const privateSource = fake.addDataSource({ properties: { Name: 'title' }, sharedWith: [FAKE_NOTION_TOKEN] }).id;
		expect((await apiError(notion('ntn_otherIntegration').dataSources.query({ data_source_id: privateSource }))).code).toBe('object_not_found');
		expect((await notion().dataSources.query({ data_source_id: privateSource })).results).toEqual([]);
		fake.share(privateSource, 'ntn_otherIntegration');
		expect((await notion('ntn_otherIntegration').dataSources.query({ data_source_id: privateSource })).results).toEqual([]);
		expect((await apiError(notion().pages.update({ page_id: '11111111-1111-4111-8111-111111111111', properties: {} }))).code).toBe('object_not_found');

		const headers = { authorization: `Bearer ${FAKE_NOTION_TOKEN}`, 'content-type': 'application/json' };
		const noVersion = await fetch(`${fake.url}/v1/data_sources/${dataSourceId}`, { headers });
		expect(noVersion.status).toBe(400);
		expect(await noVersion.json()).toMatchObject({ object: 'error', status: 400, code: 'missing_version' });
		const oldVersion = await fetch(`${fake.url}/v1/data_sources/${dataSourceId}`, { headers: { ...headers, 'notion-version': '2022-06-28' } });
		expect(await oldVersion.json()).toMatchObject({ object: 'error', status: 400, code: 'invalid_request' });
		const badJson = await fetch(`${fake.url}/v1/pages`, { method: 'POST', headers: { ...headers, 'notion-version': NOTION_VERSION }, body: '{"parent":' });
		expect(await badJson.json()).toMatchObject({ status: 400, code: 'invalid_json' });
		const badUrl = await fetch(`${fake.url}/v1/databases/${dataSourceId}/query`, { method: 'POST', headers: { ...headers, 'notion-version': NOTION_VERSION } });
		expect(await badUrl.json()).toMatchObject({ status: 400, code: 'invalid_request_url' });
	});

	it('answers 429 rate_limited with Retry-After: the SDK waits it out and retries, and the request times show the gap', async () => {
		fake.failNext(1, { status: 429, retryAfter: 1 });
		const page = await notion().pages.create({
			parent: { type: 'data_source_id', data_source_id: dataSourceId },
			properties: leadProperties('lead-1', 'Ada') as never,
		});
		expect(page.object).toBe('page');
		const [refused, accepted] = fake.requestTimes(FAKE_NOTION_TOKEN);
		expect(accepted! - refused!).toBeGreaterThanOrEqual(1000);
		expect(fake.requests[0]).toMatchObject({ status: 429, response: { object: 'error', status: 429, code: 'rate_limited' } });
		expect(fake.pages(dataSourceId)).toHaveLength(1);

		// Without the SDK's retry the caller sees the code and the header (what the hub's own limiter honours).
		fake.failNext(1, { status: 429, retryAfter: 7 });
		const limited = await apiError(notion(FAKE_NOTION_TOKEN, false).dataSources.query({ data_source_id: dataSourceId }));
		expect(limited).toMatchObject({ status: 429, code: APIErrorCode.RateLimited });
		expect((limited.headers as Headers).get('retry-after')).toBe('7');
	});

	it('enforces a per-token rate limit when asked, counted at the fake', async () => {
		await fake.close();
		fake = await startFakeNotion({ rateLimit: { requests: 3, perMs: 1000, retryAfterSeconds: 1 } });
		dataSourceId = fake.addDataSource({ properties: LEADS }).id;
		const client = notion(FAKE_NOTION_TOKEN, false);
		const outcomes = await Promise.allSettled([1, 2, 3, 4].map(() => client.dataSources.query({ data_source_id: dataSourceId })));
		expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
		expect((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'rate_limited' });
		expect(fake.requestTimes(FAKE_NOTION_TOKEN)).toHaveLength(4);
	});

	it('answers 409 conflict_error and 5xx in the envelope; the SDK retries a 503 GET on its own but never a failed POST', async () => {
		const client = notion();
		fake.failNext(1, { status: 409 });
		expect(await apiError(upsert(client, 'lead-1', 'Ada'))).toMatchObject({ status: 409, code: APIErrorCode.ConflictError });
		// `only: 'write'`: the upsert's query goes through, its create fails (and the SDK does not retry a POST).
		fake.failNext(1, { status: 500, only: 'write' });
		expect(await apiError(upsert(client, 'lead-1', 'Ada'))).toMatchObject({ status: 500, code: APIErrorCode.InternalServerError });
		expect(fake.requests.slice(-2).map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
			`POST /v1/data_sources/${dataSourceId}/query 200`,
			'POST /v1/pages 500',
		]);
		expect(fake.pages(dataSourceId)).toEqual([]);

		fake.failNext(1, { status: 503 });
		const source = await client.dataSources.retrieve({ data_source_id: dataSourceId });
		expect(source.id).toBe(dataSourceId);
		expect(fake.requests.slice(-2).map((request) => request.status)).toEqual([503, 200]);
	});

	it('drops the answer after storing a write: the SDK call rejects, and a second query finds the page instead of duplicating it', async () => {
		const client = notion();
		fake.dropAnswerAfterWriteNext(1);
		const lost = await rejection(upsert(client, 'lead-1', 'Ada'));
		// Not an API error: the connection died without an answer, so the SDK does not retry the POST itself.
		expect(lost).not.toBeInstanceOf(APIResponseError);
		expect(fake.pages(dataSourceId)).toHaveLength(1);

		const retried = await upsert(client, 'lead-1', 'Ada Lovelace');
		expect(retried.id).toBe(fake.pages(dataSourceId)[0]!.id);
		expect(fake.pages(dataSourceId)).toEqual([expect.objectContaining({ properties: expect.objectContaining({ Name: 'Ada Lovelace' }) })]);
		expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
			`POST /v1/data_sources/${dataSourceId}/query`,
			'POST /v1/pages',
			`POST /v1/data_sources/${dataSourceId}/query`,
			`PATCH /v1/pages/${retried.id}`,
		]);
	});
});
