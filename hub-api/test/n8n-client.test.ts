/**
 * The hub's n8n client: the shared public-API client (tested in test/unit/n8n-public-api/) whose failures become the
 * HubErrors the routes answer, against the fake n8n. The routes' side is in agent-deployments.test.ts.
 */
import { type FakeN8n, startFakeN8n } from '../../test/fakes/n8n-public-api';
import { HubError } from '../src/errors';
import { N8nClient, N8nError } from '../src/n8n/n8n-client';

let n8n: FakeN8n;
let client: N8nClient;

beforeAll(async () => {
	n8n = await startFakeN8n();
	client = new N8nClient({ baseUrl: n8n.url, apiKey: n8n.apiKey });
});
afterAll(() => n8n.close());
afterEach(() => n8n.heal());

async function failureOf(call: Promise<unknown>): Promise<N8nError> {
	const error = await call.then(
		() => undefined,
		(thrown: unknown) => thrown,
	);
	expect(error).toBeInstanceOf(N8nError);
	expect(error).toBeInstanceOf(HubError);
	return error as N8nError;
}

describe('N8nClient', () => {
	it('answers 503 n8n_unavailable when n8n is not reachable or too slow', async () => {
		const gone = await startFakeN8n();
		await gone.close();
		const unreachable = await failureOf(new N8nClient({ baseUrl: gone.url, apiKey: gone.apiKey }).getWorkflow('w1'));
		expect(unreachable).toMatchObject({ status: 503, code: 'n8n_unavailable', n8nStatus: 0 });
		expect(unreachable.message).toBe('n8n is not reachable (n8n GET /workflows/w1)');

		const held = n8n.hold((request) => request.path.endsWith('/publish'));
		try {
			const slow = await failureOf(new N8nClient({ baseUrl: n8n.url, apiKey: n8n.apiKey, timeoutMs: 100 }).publishWorkflow('w1'));
			expect(slow).toMatchObject({ status: 503, code: 'n8n_unavailable', n8nStatus: 0 });
			expect(slow.message).toBe('n8n did not answer within 100 ms (n8n POST /workflows/w1/publish)');
		} finally {
			held.release();
		}
	});

	it('answers 502 n8n_auth_failed when n8n refuses the API key', async () => {
		const refused = await failureOf(new N8nClient({ baseUrl: n8n.url, apiKey: 'not-the-key' }).createWorkflow({ name: 'w', nodes: [], connections: {}, settings: {} }));
		expect(refused).toMatchObject({ status: 502, code: 'n8n_auth_failed', n8nStatus: 401 });
		expect(refused.message).toBe("n8n refused the hub's API key (n8n POST /workflows: unauthorized)");
	});

	it("answers 502 n8n_error with n8n's message otherwise, keeping n8n's status", async () => {
		const missing = await failureOf(client.getWorkflow('missing'));
		expect(missing).toMatchObject({ status: 502, code: 'n8n_error', n8nStatus: 404 });
		expect(missing.message).toBe('n8n GET /workflows/missing failed with 404: Not Found');

		n8n.failCalls({ count: 1, status: 500 });
		const failed = await failureOf(client.ensureTag('acct-1'));
		expect(failed).toMatchObject({ status: 502, code: 'n8n_error', n8nStatus: 500 });
		expect(failed.message).toBe('n8n GET /tags failed with 500: Internal error (injected by the test)');
	});

	it("keeps the shared client's DELETE retries, and answers their last failure", async () => {
		const { id } = await client.createWorkflow({ name: 'w', nodes: [], connections: {}, settings: {} });
		n8n.failCalls({ count: 3, status: 500 });
		expect(await failureOf(client.deleteWorkflow(id))).toMatchObject({ status: 502, code: 'n8n_error', n8nStatus: 500 });
		n8n.failCalls({ count: 2, status: 500 });
		await client.deleteWorkflow(id);
		expect(n8n.workflows.has(id)).toBe(false);
	});
});
