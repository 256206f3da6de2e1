import { startTestHub, type TestHub } from './support';

let hub: TestHub;
let accountKey: string;

beforeAll(async () => {
	hub = await startTestHub({ bodyLimit: '2kb' });
	accountKey = (await hub.createTenant()).apiKey.key;
});
afterAll(() => hub?.close());

const countAgents = async () => Number((await hub.dataSource.query('SELECT count(*) AS n FROM agents'))[0].n);

describe('bad input never yields a 500', () => {
	it('answers malformed JSON with 400 invalid_json', async () => {
		const response = await hub.request('/api/agents', { key: accountKey, rawBody: '{"name": "half' });
		expect(response.status).toBe(400);
		expect(response.body).toEqual({ error: { code: 'invalid_json', message: 'Request body is not valid JSON' } });
	});

	it('answers a body over HUB_BODY_LIMIT with 413 payload_too_large and stores nothing', async () => {
		const before = await countAgents();
		const response = await hub.request('/api/agents', { key: accountKey, body: { name: 'x'.repeat(4_000) } });
		expect(response.status).toBe(413);
		expect(response.body.error.code).toBe('payload_too_large');
		expect(await countAgents()).toBe(before);
	});

	it('answers wrong types with 422 validation_failed, every issue listed, and stores nothing', async () => {
		const before = await countAgents();
		const response = await hub.request('/api/agents', { key: accountKey, body: { name: 42, accountId: 'nope' } });
		expect(response.status).toBe(422);
		expect(response.body.error.code).toBe('validation_failed');
		expect(response.body.error.details).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ path: 'body.name' }),
				expect.objectContaining({ path: 'body.accountId' }),
			]),
		);
		expect(await countAgents()).toBe(before);
	});

	it('treats a body that is not JSON at all as missing fields (422)', async () => {
		const response = await hub.request('/api/agents', {
			key: accountKey,
			rawBody: 'name=x',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});
		expect(response.status).toBe(422);
	});

	it('answers an unknown route with a JSON 404, with or without a key', async () => {
		for (const key of [undefined, accountKey]) {
			const response = await hub.request('/api/does-not-exist', { key });
			expect(response.status).toBe(404);
			expect(response.body.error.code).toBe('not_found');
		}
	});
});

describe('HTTP basics', () => {
	it('GET /api/health answers without a key', async () => {
		const response = await hub.request('/api/health');
		expect(response.status).toBe(200);
		expect(response.body).toEqual({ status: 'ok' });
	});

	it('sets the security headers of a JSON API, and the full document set on the Swagger UI page', async () => {
		const response = await hub.request('/api/health');
		expect(response.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
		expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d+; includeSubDomains$/);
		expect(response.headers.get('x-content-type-options')).toBe('nosniff');
		expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
		expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
		expect(response.headers.get('x-powered-by')).toBeNull();
		expect(response.headers.get('etag')).toBeNull();
		// Document-only headers are left off API answers...
		expect(response.headers.get('referrer-policy')).toBeNull();

		// ...and set on the HTML page, whose CSP lets it load its own scripts.
		const docs = await hub.request('/api/docs/');
		expect(docs.headers.get('referrer-policy')).toBe('no-referrer');
		expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
		expect(docs.headers.get('x-powered-by')).toBeNull();
	});

	it('exposes Prometheus metrics with the request histogram by route pattern', async () => {
		await hub.request('/api/agents', { key: accountKey });
		const response = await hub.request('/metrics');
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toContain('text/plain');
		expect(response.body).toContain('process_cpu_user_seconds_total');
		expect(response.body).toMatch(
			/http_request_duration_seconds_count\{method="GET",route="\/api\/agents\/",status_code="200"\} \d+/,
		);
	});
});
