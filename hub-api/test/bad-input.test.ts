/**
 * Bad input is the client's fault: malformed JSON, bodies of the wrong type, wrong field types, odd query strings and
 * ids answer 4xx with the error body, never 500 (routes whose dependency the test hub lacks may answer their 503). Driven by the app's own route table, so new routes are covered
 * without a new row.
 */
import { randomUUID } from 'node:crypto';
import { listRoutes, type MountedRoute } from './routes';
import { startTestHub, type TestHub, type TestUser } from './support';

let hub: TestHub;
let owner: TestUser;
let routes: MountedRoute[];

beforeAll(async () => {
	hub = await startTestHub();
	owner = await hub.registerUser();
	routes = listRoutes(hub.app);
});
afterAll(() => hub?.close());

/** Path parameters filled with a value of the wrong shape, or a well-formed id nobody owns. */
const fill = (path: string, value: () => string) => path.replace(/\{\w+\}/g, () => value());
const WITH_BODY = new Set(['post', 'put', 'patch', 'delete']);
/** The loops grow with the route table; they assert statuses, not time. */
const ROUTE_TABLE_TIMEOUT_MS = 120_000;

const GARBAGE_BODIES: [string, string][] = [
	['an array', '[]'],
	['a string', '"text"'],
	['a number', '42'],
	['null', 'null'],
	['fields of the wrong types', JSON.stringify({ name: 42, email: [], password: {}, accountId: 7, agentId: true, id: null, messageId: 1, status: 3, message: 'x', expiresAt: 5, role: 1 })],
	['a deeply nested object', JSON.stringify(JSON.parse(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`))],
];

/**
 * A fresh person per route, so the per-user rate limit never answers in place of the validation under test; and the
 * platform key, which passes role and scope checks on the operator's routes.
 */
const credentialsFor = async () => {
	const person = await hub.addUser(owner.account.id, 'owner');
	return [{ token: person.accessToken }, { key: hub.platformKey }];
};

/** 4xx, or a deliberate 503 from a route whose dependency this test hub lacks (Stripe, n8n); never a 500. */
function expectClientError(route: string, response: { status: number; body: unknown }) {
	const clientError = response.status >= 400 && response.status < 500;
	// The route name travels with the status so a failure says which route broke.
	expect([route, response.status, clientError || response.status === 503]).toEqual([route, response.status, true]);
	expect([route, response.body]).toEqual([route, { error: expect.objectContaining({ code: expect.any(String) }) }]);
}

describe('every route', () => {
	it('answers malformed JSON with 4xx', async () => {
		expect(routes.filter((candidate) => WITH_BODY.has(candidate.method)).length).toBeGreaterThan(10);
		for (const route of routes.filter((candidate) => WITH_BODY.has(candidate.method))) {
			const path = fill(route.path, randomUUID);
			for (const credential of await credentialsFor()) {
				const response = await hub.request(path, { method: route.method.toUpperCase(), rawBody: '{"name": ', ...credential });
				expectClientError(`${route.method} ${route.path}`, response);
			}
		}
	}, ROUTE_TABLE_TIMEOUT_MS);

	it('answers bodies of the wrong type or shape with 4xx', async () => {
		for (const route of routes.filter((candidate) => WITH_BODY.has(candidate.method))) {
			const credentials = await credentialsFor();
			for (const [, rawBody] of GARBAGE_BODIES) {
				for (const credential of credentials) {
					const path = fill(route.path, () => 'not-an-id');
					const response = await hub.request(path, { method: route.method.toUpperCase(), rawBody, ...credential });
					expectClientError(`${route.method} ${route.path} ${rawBody.slice(0, 20)}`, response);
				}
			}
		}
	}, ROUTE_TABLE_TIMEOUT_MS);

	it('never answers 500 to odd query strings and ids', async () => {
		const query = '?limit=abc&cursor=%00%ff&accountId=not-a-uuid&status[]=x&period=99y&category=%27--&format=xml';
		for (const route of routes.filter((candidate) => candidate.method === 'get')) {
			const credentials = await credentialsFor();
			for (const id of ['not-an-id', randomUUID(), "'; DROP TABLE users; --"]) {
				for (const credential of credentials) {
					const path = `${fill(route.path, () => encodeURIComponent(id))}${query}`;
					const response = await hub.request(path, credential);
					expect([`get ${route.path}`, response.status < 500]).toEqual([`get ${route.path}`, true]);
				}
			}
		}
	}, ROUTE_TABLE_TIMEOUT_MS);
});

describe('auth routes', () => {
	it.each([
		['login with a number as password', '/api/auth/login', { email: 'a@example.test', password: 12345678901 }],
		['login without e-mail', '/api/auth/login', { password: 'whatever it is' }],
		['register with an object as name', '/api/auth/register', { accountName: 'x', email: 'b@example.test', password: 'correct horse battery', name: {} }],
		['refresh with an array', '/api/auth/refresh', { refreshToken: ['skr_x'] }],
	])('%s answers 422 with every issue', async (_case, path, body) => {
		const response = await hub.request(path, { body });
		expect(response.status).toBe(422);
		expect(response.body.error.code).toBe('validation_failed');
		expect(response.body.error.details.length).toBeGreaterThan(0);
	});

	it('answers an oversized body with 413', async () => {
		const response = await hub.request('/api/auth/login', {
			body: { email: 'a@example.test', password: 'x'.repeat(2 * 1024 * 1024) },
		});
		expect(response.status).toBe(413);
	});
});
