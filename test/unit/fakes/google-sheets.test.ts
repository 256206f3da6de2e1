import { auth as googleAuth, sheets as googleSheets } from '@googleapis/sheets';

import { type FakeGoogleSheets, SHEETS_SCOPES, startFakeGoogleSheets } from '../../fakes/google-sheets';

const TOKEN = 'ya29.skybot-fake-sheets-token';
const HEADER = ['Lead Key', 'Name', 'Email', 'Score', 'Status', 'Updated'];

let fake: FakeGoogleSheets;
let spreadsheetId: string;

beforeEach(async () => {
	fake = await startFakeGoogleSheets();
	fake.addToken(TOKEN);
	spreadsheetId = fake.addSpreadsheet({ sheets: { Leads: [HEADER], 'Old leads': [] } });
});
afterEach(() => fake.close());

/** The real client as the hub builds it: an OAuth2 client holding an access token, pointed at the fake. */
function client(token = TOKEN) {
	const auth = new googleAuth.OAuth2({
		// gaxios otherwise loads node-fetch with a dynamic import(), which Jest's CommonJS runtime refuses.
		transporterOptions: { fetchImplementation: fetch },
	});
	auth.setCredentials({ access_token: token });
	return googleSheets({ version: 'v4', auth, rootUrl: fake.rootUrl });
}
/** No automatic retries: the test sees each answer as the fake gave it. */
const once = { retry: false } as const;

const raw = (path: string, init: RequestInit = {}, token = TOKEN) =>
	fetch(`${fake.url}/v4/spreadsheets/${spreadsheetId}${path}`, {
		...init,
		headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) },
	});
const errorOf = async (response: Response) => ((await response.json()) as { error: { code: number; message: string; status: string } }).error;

describe('fake Google Sheets with the real client (@googleapis/sheets)', () => {
	it('lists the sheets, appends rows, finds a row by its key column and updates it', async () => {
		const api = client();
		const meta = await api.spreadsheets.get({ spreadsheetId });
		expect(meta.data.sheets?.map((sheet) => sheet.properties?.title)).toEqual(['Leads', 'Old leads']);

		const appended = await api.spreadsheets.values.append({
			spreadsheetId,
			range: 'Leads!A:F',
			valueInputOption: 'RAW',
			insertDataOption: 'INSERT_ROWS',
			requestBody: { values: [['lead-1', 'Ada', 'ada@example.com', 3, 'New', '2026-12-04']] },
		});
		expect(appended.data).toEqual({
			spreadsheetId,
			tableRange: 'Leads!A1:F1',
			updates: { spreadsheetId, updatedRange: 'Leads!A2:F2', updatedRows: 1, updatedColumns: 6, updatedCells: 6 },
		});
		const second = await api.spreadsheets.values.append({
			spreadsheetId,
			range: 'Leads!A:F',
			valueInputOption: 'USER_ENTERED',
			insertDataOption: 'INSERT_ROWS',
			requestBody: { values: [['lead-2', 'Bob', 'bob@example.com', '7', 'New', "'0042"]] },
		});
		expect(second.data.updates?.updatedRange).toBe('Leads!A3:F3');

		const keys = await api.spreadsheets.values.get({ spreadsheetId, range: 'Leads!A:A' });
		expect(keys.data).toEqual({ range: 'Leads!A1:A1000', majorDimension: 'ROWS', values: [['Lead Key'], ['lead-1'], ['lead-2']] });
		const row = keys.data.values!.findIndex((cells) => cells[0] === 'lead-2') + 1;
		const updated = await api.spreadsheets.values.update({
			spreadsheetId,
			range: `Leads!A${row}:F${row}`,
			valueInputOption: 'RAW',
			requestBody: { values: [[null, 'Bobby', null, 8, 'Qualified', '']] },
		});
		expect(updated.data).toEqual({ spreadsheetId, updatedRange: 'Leads!A3:F3', updatedRows: 1, updatedColumns: 6, updatedCells: 4 });

		expect(fake.rows(spreadsheetId, 'Leads')).toEqual([HEADER, ['lead-1', 'Ada', 'ada@example.com', 3, 'New', '2026-12-04'], ['lead-2', 'Bobby', 'bob@example.com', 8, 'Qualified']]);
		const formatted = await api.spreadsheets.values.get({ spreadsheetId, range: 'Leads!A2:F2' });
		expect(formatted.data.values).toEqual([['lead-1', 'Ada', 'ada@example.com', '3', 'New', '2026-12-04']]);
		const unformatted = await api.spreadsheets.values.get({ spreadsheetId, range: 'Leads!D2:D3', valueRenderOption: 'UNFORMATTED_VALUE' });
		expect(unformatted.data.values).toEqual([[3], [8]]);
	});

	it('keeps USER_ENTERED text after an apostrophe and parses numbers and booleans', async () => {
		await client().spreadsheets.values.update({ spreadsheetId, range: 'Leads!A2:D2', valueInputOption: 'USER_ENTERED', requestBody: { values: [["'0042", '12.5', 'true', 'plain']] } });
		expect(fake.rows(spreadsheetId, 'Leads')[1]).toEqual(['0042', 12.5, true, 'plain']);
	});

	it('batchUpdates several ranges at once, all or none', async () => {
		const api = client();
		const done = await api.spreadsheets.values.batchUpdate({
			spreadsheetId,
			requestBody: {
				valueInputOption: 'RAW',
				data: [
					{ range: 'Leads!A2:B2', values: [['lead-1', 'Ada']] },
					{ range: "'Old leads'!A1", values: [['archived']] },
				],
			},
		});
		expect(done.data).toMatchObject({ spreadsheetId, totalUpdatedRows: 2, totalUpdatedCells: 3, totalUpdatedSheets: 2 });
		expect(done.data.responses?.map((response) => response.updatedRange)).toEqual(['Leads!A2:B2', "'Old leads'!A1"]);

		await expect(
			api.spreadsheets.values.batchUpdate(
				{ spreadsheetId, requestBody: { valueInputOption: 'RAW', data: [{ range: 'Leads!A3:B3', values: [['lead-2', 'Bob']] }, { range: 'Nope!A1', values: [['x']] }] } },
				once,
			),
		).rejects.toMatchObject({ status: 400, response: { data: { error: { status: 'INVALID_ARGUMENT', message: 'Invalid data[1]: Unable to parse range: Nope!A1' } } } });
		expect(fake.rows(spreadsheetId, 'Leads')).toHaveLength(2);
	});

	it('drops the answer after an append: the client sees a lost connection, reading the key column finds the row', async () => {
		const api = client();
		fake.dropAnswerAfterWriteNext();
		await expect(
			api.spreadsheets.values.append({ spreadsheetId, range: 'Leads!A:F', valueInputOption: 'RAW', insertDataOption: 'INSERT_ROWS', requestBody: { values: [['lead-1', 'Ada']] } }),
		).rejects.toThrow();
		expect(fake.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
		expect(fake.requests.at(-1)!.dropped).toBe(true);
		expect(fake.rows(spreadsheetId, 'Leads')).toEqual([HEADER, ['lead-1', 'Ada']]);
		const keys = await api.spreadsheets.values.get({ spreadsheetId, range: 'Leads!A:A' });
		expect(keys.data.values?.flat()).toContain('lead-1');

		// An update (PUT) is retried by gaxios itself after a lost answer: the same cells are written twice, no new row.
		fake.dropAnswerAfterWriteNext();
		const put = await api.spreadsheets.values.update({ spreadsheetId, range: 'Leads!B2', valueInputOption: 'RAW', requestBody: { values: [['Ada L.']] } });
		expect(put.data.updatedRange).toBe('Leads!B2');
		expect(fake.requests.filter((request) => request.method === 'PUT')).toHaveLength(2);
		expect(fake.rows(spreadsheetId, 'Leads')).toEqual([HEADER, ['lead-1', 'Ada L.']]);
	});

	it.each([
		['an unknown sheet', 'Contacts!A:A', 'Unable to parse range: Contacts!A:A'],
		['a malformed range', 'Leads!A1:', 'Unable to parse range: Leads!A1:'],
		['a range past the grid', 'Leads!A1001:B1002', 'Range (Leads!A1001) exceeds grid limits. Max rows: 1000, max columns: 26'],
	])('values.get refuses %s with 400 INVALID_ARGUMENT', async (_case, range, message) => {
		await expect(client().spreadsheets.values.get({ spreadsheetId, range }, once)).rejects.toMatchObject({
			status: 400,
			response: { data: { error: { code: 400, status: 'INVALID_ARGUMENT', message } } },
		});
	});

	it('refuses writes outside the range, without valueInputOption, with a bad insertDataOption or a nested value', async () => {
		const api = client();
		await expect(
			api.spreadsheets.values.update({ spreadsheetId, range: 'Leads!A2:B2', valueInputOption: 'RAW', requestBody: { values: [['a', 'b', 'c']] } }, once),
		).rejects.toMatchObject({ status: 400, response: { data: { error: { message: 'Requested writing within range [Leads!A2:B2], but tried writing to column [C]' } } } });
		await expect(
			api.spreadsheets.values.update({ spreadsheetId, range: 'Leads!A2:B2', valueInputOption: 'RAW', requestBody: { values: [['a'], ['b']] } }, once),
		).rejects.toMatchObject({ status: 400, response: { data: { error: { message: 'Requested writing within range [Leads!A2:B2], but tried writing to row [3]' } } } });
		const missing = await raw('/values/Leads!A2', { method: 'PUT', body: JSON.stringify({ values: [['a']] }) });
		expect(missing.status).toBe(400);
		expect((await errorOf(missing)).message).toBe("'valueInputOption' is required but not specified");
		const badInsert = await raw('/values/Leads!A:A:append?valueInputOption=RAW&insertDataOption=PREPEND', { method: 'POST', body: JSON.stringify({ values: [['a']] }) });
		expect(badInsert.status).toBe(400);
		const nested = await raw('/values/Leads!A2?valueInputOption=RAW', { method: 'PUT', body: JSON.stringify({ values: [[{ a: 1 }]] }) });
		expect((await errorOf(nested)).message).toBe('Invalid values[0][0]: struct_value');
		const mismatch = await raw('/values/Leads!A2?valueInputOption=RAW', { method: 'PUT', body: JSON.stringify({ range: 'Leads!A3', values: [['a']] }) });
		expect(mismatch.status).toBe(400);
		expect(fake.rows(spreadsheetId, 'Leads')).toEqual([HEADER]);
	});

	it('answers 401, 403 and 404 in Google envelope', async () => {
		await expect(client('ya29.unknown').spreadsheets.get({ spreadsheetId }, once)).rejects.toMatchObject({ status: 401, response: { data: { error: { status: 'UNAUTHENTICATED' } } } });
		const none = await raw('', {}, '');
		expect(none.status).toBe(401);
		expect((await errorOf(none)).message).toMatch(/^Request is missing required authentication credential/);

		fake.addToken('ya29.readonly', { scopes: [SHEETS_SCOPES.readonly] });
		await expect(client('ya29.readonly').spreadsheets.values.get({ spreadsheetId, range: 'Leads!A1' })).resolves.toBeDefined();
		await expect(
			client('ya29.readonly').spreadsheets.values.update({ spreadsheetId, range: 'Leads!A2', valueInputOption: 'RAW', requestBody: { values: [['x']] } }, once),
		).rejects.toMatchObject({ status: 403, response: { data: { error: { status: 'PERMISSION_DENIED', message: 'Request had insufficient authentication scopes.' } } } });

		fake.addToken('ya29.elsewhere', { spreadsheets: ['1someOtherSpreadsheet'] });
		await expect(client('ya29.elsewhere').spreadsheets.get({ spreadsheetId }, once)).rejects.toMatchObject({ status: 403, response: { data: { error: { message: 'The caller does not have permission' } } } });
		await expect(client().spreadsheets.get({ spreadsheetId: '1unknownSpreadsheet' }, once)).rejects.toMatchObject({
			status: 404,
			response: { data: { error: { code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.' } } },
		});
	});

	it('answers scripted 429 with Retry-After and 5xx; gaxios retries a GET by itself, not an append', async () => {
		fake.failNext(1, { status: 429 });
		const limited = await raw('/values/Leads!A1');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('60');
		expect((await errorOf(limited)).status).toBe('RESOURCE_EXHAUSTED');

		fake.failNext(1, { status: 503 });
		const retried = await client().spreadsheets.values.get({ spreadsheetId, range: 'Leads!A1' });
		expect(retried.data.values).toEqual([['Lead Key']]);

		fake.failNext(1, { status: 500 });
		await expect(
			client().spreadsheets.values.append({ spreadsheetId, range: 'Leads!A:A', valueInputOption: 'RAW', requestBody: { values: [['lead-1']] } }),
		).rejects.toMatchObject({ status: 500, response: { data: { error: { status: 'INTERNAL' } } } });
		expect(fake.rows(spreadsheetId, 'Leads')).toEqual([HEADER]);
	});

	it('counts writes per token per minute, and enforces the quota when asked', async () => {
		const api = client();
		for (let n = 0; n < 3; n += 1) await api.spreadsheets.values.update({ spreadsheetId, range: `Leads!A${n + 2}`, valueInputOption: 'RAW', requestBody: { values: [[`k${n}`]] } });
		await api.spreadsheets.values.get({ spreadsheetId, range: 'Leads!A:A' });
		expect(fake.writeTimes(TOKEN)).toHaveLength(3);
		expect(fake.peakWritesPerMinute(TOKEN)).toBe(3);

		let clock = 5_000_000;
		const quota = await startFakeGoogleSheets({ writeQuotaPerMinute: 2, now: () => clock });
		try {
			quota.addToken(TOKEN);
			const id = quota.addSpreadsheet({ sheets: { Leads: [HEADER] } });
			const put = () =>
				fetch(`${quota.url}/v4/spreadsheets/${id}/values/Leads!A2?valueInputOption=RAW`, {
					method: 'PUT',
					headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
					body: JSON.stringify({ values: [['x']] }),
				});
			expect((await put()).status).toBe(200);
			clock += 10_000;
			expect((await put()).status).toBe(200);
			const refused = await put();
			expect(refused.status).toBe(429);
			expect(refused.headers.get('retry-after')).toBe('50');
			expect((await errorOf(refused)).status).toBe('RESOURCE_EXHAUSTED');
			clock += 50_000;
			expect((await put()).status).toBe(200);
		} finally {
			await quota.close();
		}
	});
});
