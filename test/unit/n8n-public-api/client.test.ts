/**
 * The shared client of n8n's public API (n8n-public-api/client.ts) against the fake n8n (test/fakes/n8n-public-api.ts),
 * which refuses what n8n refuses. The hub's answers built on it are in hub-api/test/n8n-client.test.ts; the real n8n is
 * driven by the end-to-end suite.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { N8nApiError, N8nPublicApi, n8nRequest, type N8nWorkflowBody } from '../../../n8n-public-api/client.ts';
import type { RecordedRequest } from '../../fakes/http-fake';
import { type FakeN8n, type FakeWorkflow, startFakeN8n } from '../../fakes/n8n-public-api';

let n8n: FakeN8n;
let client: N8nPublicApi;

beforeAll(async () => {
	n8n = await startFakeN8n();
	client = new N8nPublicApi({ baseUrl: `${n8n.url}/`, apiKey: n8n.apiKey });
});
afterAll(() => n8n.close());
afterEach(() => {
	n8n.heal();
	n8n.workflows.clear();
	n8n.tags.clear();
	n8n.credentials.clear();
});

const workflowBody = (name = 'A workflow'): N8nWorkflowBody => ({ name, nodes: [], connections: {}, settings: {} });

/** The error a call fails with (and a failure of the test if it succeeds). */
async function failureOf(call: Promise<unknown>): Promise<N8nApiError> {
	const error = await call.then(
		() => undefined,
		(thrown: unknown) => thrown,
	);
	expect(error).toBeInstanceOf(N8nApiError);
	return error as N8nApiError;
}

const requestsSince = (start: number, matches: (request: RecordedRequest) => boolean) =>
	n8n.requests.slice(start).filter(matches);

function seedWorkflows(count: number): void {
	for (let index = 0; index < count; index++) {
		const workflow: FakeWorkflow = { id: `wf${index}`, name: `Workflow ${index}`, active: false, nodes: [], connections: {}, settings: {}, tagIds: [] };
		n8n.workflows.set(workflow.id, workflow);
	}
}

describe('N8nPublicApi', () => {
	it('calls /api/v1 with the API key and JSON, and answers with the parsed body', async () => {
		const start = n8n.requests.length;
		const created = await client.createWorkflow(workflowBody());
		expect(n8n.workflows.get(created.id)).toMatchObject({ name: 'A workflow', active: false });
		expect(await client.publishWorkflow(created.id)).toMatchObject({ id: created.id, active: true });
		expect((await client.getWorkflow(created.id)).active).toBe(true);

		const [post] = n8n.requests.slice(start);
		expect(post).toMatchObject({ method: 'POST', path: '/api/v1/workflows', json: workflowBody() });
		expect(post!.headers).toMatchObject({ 'x-n8n-api-key': n8n.apiKey, 'content-type': 'application/json', accept: 'application/json' });
	});

	it("throws N8nApiError with n8n's status and message, naming the call", async () => {
		const missing = await failureOf(client.getWorkflow('missing'));
		expect(missing).toMatchObject({
			status: 404,
			timedOut: false,
			method: 'GET',
			path: '/workflows/missing?excludePinnedData=true',
			n8nMessage: 'Not Found',
		});
		expect(missing.message).toBe('n8n GET /workflows/missing?excludePinnedData=true failed with 404: Not Found');

		const refused = await failureOf(client.createWorkflow({ ...workflowBody(), name: '{{skybot:agent.name}}' }));
		expect(refused).toMatchObject({ status: 400, n8nMessage: 'unresolved template placeholder {{skybot:agent.name}}' });
		expect(refused.during('creating workflow "x"').message).toBe(
			'creating workflow "x": n8n POST /workflows failed with 400: unresolved template placeholder {{skybot:agent.name}}',
		);
		expect(refused.during('creating workflow "x"').status).toBe(400);

		const wrongKey = new N8nPublicApi({ baseUrl: n8n.url, apiKey: 'not-the-key' });
		expect(await failureOf(wrongKey.deleteCredential('any'))).toMatchObject({ status: 401, n8nMessage: 'unauthorized' });
	});

	it('tells whether n8n accepts the API key, and throws when n8n fails otherwise', async () => {
		expect(await client.acceptsApiKey()).toBe(true);
		expect(await new N8nPublicApi({ baseUrl: n8n.url, apiKey: 'not-the-key' }).acceptsApiKey()).toBe(false);
		n8n.failCalls({ count: 1, status: 500 });
		expect((await failureOf(client.acceptsApiKey())).status).toBe(500);
	});

	it('answers status 0 when n8n is not reachable, and timedOut when it does not answer in time', async () => {
		const gone = await startFakeN8n();
		await gone.close();
		const unreachable = await failureOf(new N8nPublicApi({ baseUrl: gone.url, apiKey: gone.apiKey }).getWorkflow('w'));
		expect(unreachable).toMatchObject({ status: 0, timedOut: false });
		expect(unreachable.message).toContain(`is not reachable at ${gone.url}/api/v1`);

		const held = n8n.hold((request) => request.method === 'GET');
		try {
			const slow = await failureOf(new N8nPublicApi({ baseUrl: n8n.url, apiKey: n8n.apiKey, timeoutMs: 100 }).listWorkflows());
			expect(slow).toMatchObject({ status: 0, timedOut: true });
			expect(slow.message).toBe('n8n GET /workflows?excludePinnedData=true&limit=250 gave no answer within 100 ms');
		} finally {
			held.release();
		}
	});

	it('lists every page of a list, following nextCursor', async () => {
		seedWorkflows(260);
		const start = n8n.requests.length;
		const listed = await client.listWorkflows();
		expect(listed.map((workflow) => workflow.id).sort()).toEqual([...n8n.workflows.keys()].sort());
		const pages = requestsSince(start, () => true);
		expect(pages.map((request) => request.query.limit)).toEqual(['250', '250']);
		expect(pages[0]!.query.cursor).toBeUndefined();
		expect(pages[1]!.query.cursor).toEqual(expect.any(String));

		await client.createCredential({ name: 'Hub', type: 'skyBotHubApi', data: { baseUrl: 'http://hub', apiKey: 'k' } });
		expect(await client.listCredentials()).toEqual([{ id: expect.any(String), name: 'Hub', type: 'skyBotHubApi' }]);
	});

	it('updates a credential in place', async () => {
		const { id } = await client.createCredential({ name: 'Hub', type: 'skyBotHubApi', data: { baseUrl: 'http://hub', apiKey: 'k1' } });
		await client.updateCredential(id, { name: 'Hub', type: 'skyBotHubApi', data: { baseUrl: 'http://hub', apiKey: 'k2' } });
		expect(n8n.credentials.get(id)!.data.apiKey).toBe('k2');
		expect((await failureOf(client.updateCredential('missing', { name: 'x', type: 'openAiApi', data: { apiKey: 'k' } }))).status).toBe(
			404,
		);
	});

	describe('ensureTag', () => {
		it('finds an existing tag on a later page without creating one, and creates a missing one', async () => {
			for (let index = 0; index < 300; index++) n8n.tags.set(`t${index}`, { id: `t${index}`, name: `tag-${index}` });
			const start = n8n.requests.length;
			expect(await client.ensureTag('tag-280')).toBe('t280');
			expect(requestsSince(start, (request) => request.method === 'POST')).toHaveLength(0);

			const id = await client.ensureTag('new-tag');
			expect(n8n.tags.get(id)).toEqual({ id, name: 'new-tag' });
		});

		it('takes the tag another caller created between its lookup and its create (409)', async () => {
			const held = n8n.hold((request) => request.method === 'POST' && request.path === '/api/v1/tags');
			const ensured = client.ensureTag('acct-1');
			await held.reached;
			n8n.tags.set('theirs', { id: 'theirs', name: 'acct-1' });
			held.release();
			expect(await ensured).toBe('theirs');
		});

		it('throws what n8n refuses', async () => {
			expect(await failureOf(client.ensureTag('a-name-longer-than-24-characters'))).toMatchObject({
				status: 400,
				n8nMessage: 'Tag name must be 1 to 24 characters',
			});
		});
	});

	describe('deleteWorkflow', () => {
		const deletes = (start: number) => requestsSince(start, (request) => request.method === 'DELETE');

		it('retries the 409 of a workflow still being unpublished until n8n lets it go', async () => {
			const { id } = await client.createWorkflow(workflowBody());
			n8n.workflows.get(id)!.active = true;
			const start = n8n.requests.length;
			const deleted = client.deleteWorkflow(id);
			// n8n finishes unpublishing in the background.
			setTimeout(() => (n8n.workflows.get(id)!.active = false), 600);
			await deleted;
			expect(n8n.workflows.has(id)).toBe(false);
			expect(deletes(start).length).toBeGreaterThan(1);
			expect(deletes(start).slice(0, -1).every((request) => request.status === 409)).toBe(true);
		});

		it('gives up on a 409 that lasts, after 20 attempts (about 5 s)', async () => {
			const { id } = await client.createWorkflow(workflowBody());
			n8n.workflows.get(id)!.active = true;
			const start = n8n.requests.length;
			expect((await failureOf(client.deleteWorkflow(id))).status).toBe(409);
			expect(deletes(start)).toHaveLength(20);
			expect(n8n.workflows.has(id)).toBe(true);
		});

		it('retries a 5xx twice: a passing failure still deletes, a lasting one throws', async () => {
			const first = await client.createWorkflow(workflowBody('first'));
			n8n.failCalls({ count: 2, status: 500 });
			let start = n8n.requests.length;
			await client.deleteWorkflow(first.id);
			expect(n8n.workflows.has(first.id)).toBe(false);
			expect(deletes(start).map((request) => request.status)).toEqual([500, 500, 200]);

			const second = await client.createWorkflow(workflowBody('second'));
			n8n.failCalls({ count: 3, status: 503 });
			start = n8n.requests.length;
			expect((await failureOf(client.deleteWorkflow(second.id))).status).toBe(503);
			expect(deletes(start)).toHaveLength(3);
			expect(n8n.workflows.has(second.id)).toBe(true);
		});

		it('does not retry other refusals: a workflow already gone answers 404 at once', async () => {
			const start = n8n.requests.length;
			expect((await failureOf(client.deleteWorkflow('missing'))).status).toBe(404);
			expect(deletes(start)).toHaveLength(1);
		});
	});

	describe('toError', () => {
		it("is where a subclass turns n8n's failures into its own errors, after the retries looked at them", async () => {
			class Wrapped extends Error {}
			class Subclass extends N8nPublicApi {
				protected override toError(error: N8nApiError): Error {
					return new Wrapped(`wrapped ${error.status}`);
				}
			}
			const subclass = new Subclass({ baseUrl: n8n.url, apiKey: n8n.apiKey });
			const { id } = await subclass.createWorkflow(workflowBody());
			n8n.failCalls({ count: 1, status: 500 });
			await subclass.deleteWorkflow(id);
			expect(n8n.workflows.has(id)).toBe(false);
			await expect(subclass.deleteWorkflow(id)).rejects.toThrow(new Wrapped('wrapped 404'));
			n8n.failCalls({ count: 1, status: 500 });
			await expect(subclass.listCredentials()).rejects.toThrow(new Wrapped('wrapped 500'));
			await expect(subclass.ensureTag('a-name-longer-than-24-characters')).rejects.toThrow(new Wrapped('wrapped 400'));
		});
	});
});

describe('n8nRequest', () => {
	it("answers with n8n's headers (the internal API's login sets a cookie) and the parsed body", async () => {
		const { body, headers } = await n8nRequest<{ data: unknown[] }>(`${n8n.url}/api/v1`, {
			method: 'GET',
			path: '/tags',
			headers: { 'x-n8n-api-key': n8n.apiKey },
		});
		expect(body).toEqual({ data: [], nextCursor: null });
		expect(headers.get('content-type')).toContain('application/json');
	});

	it('keeps the start of a body that is not JSON as the message, as a proxy in front of n8n answers', async () => {
		const proxy = createServer((_request, response) => response.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>'));
		await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
			const error = await failureOf(n8nRequest(url, { method: 'POST', path: '/rest/login', body: {} }));
			expect(error).toMatchObject({ status: 502, n8nMessage: '<h1>Bad gateway</h1>', path: '/rest/login' });
		} finally {
			await new Promise((resolve) => proxy.close(resolve));
		}
	});
});
