import { listRoutes, type MountedRoute } from './routes';
import { startTestHub, type TestHub } from './support';

let hub: TestHub;
let mounted: MountedRoute[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let document: any;

beforeAll(async () => {
	hub = await startTestHub();
	mounted = listRoutes(hub.app);
	const response = await hub.request('/api/docs/openapi.json');
	expect(response.status).toBe(200);
	document = response.body;
});
afterAll(() => hub?.close());

const operations = () =>
	Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
		Object.keys(item).map((method) => `${method} ${path}`),
	);

describe('GET /api/docs/openapi.json', () => {
	it('is an OpenAPI 3.1 document with both credential schemes', () => {
		expect(document.openapi).toMatch(/^3\.1\.\d+$/);
		expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
		expect(document.components.securitySchemes).toEqual({
			bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
			apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
		});
	});

	it('documents every route the app serves, and nothing it does not serve', () => {
		// Derived from Express's router stacks, so a route added without documentation fails here.
		expect(mounted.length).toBeGreaterThan(15);
		const served = mounted.map((route) => `${route.method} ${route.path}`).sort();
		expect(operations().sort()).toEqual(served);
	});

	it('gives every operation responses, and every authenticated one a minimum role or the platform key', () => {
		const missing: string[] = [];
		for (const [path, item] of Object.entries(document.paths)) {
			for (const [method, operation] of Object.entries(item as Record<string, Record<string, unknown>>)) {
				const name = `${method} ${path}`;
				if (Object.keys(operation.responses ?? {}).length === 0) missing.push(`${name}: responses`);
				const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
				if (!isPublic && !operation['x-minimum-role'] && !operation['x-platform-key-only']) {
					missing.push(`${name}: x-minimum-role`);
				}
			}
		}
		expect(missing).toEqual([]);
	});

	it('describes requests with the validating zod schemas (register: required fields and limits)', () => {
		const schema = document.paths['/api/auth/register'].post.requestBody.content['application/json'].schema;
		expect(schema.required).toEqual(expect.arrayContaining(['accountName', 'email', 'password']));
		expect(schema.properties.password.minLength).toBe(10);
		expect(schema.properties).not.toHaveProperty('role');
		const rotate = document.paths['/api/api-keys/{id}/rotate'].post;
		expect(rotate.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
	});

	it('only references components that exist', () => {
		const references = JSON.stringify(document).match(/"#\/components\/[^"]+"/g) ?? [];
		for (const reference of new Set(references)) {
			const [, , section, name] = JSON.parse(reference).split('/');
			expect([reference, document.components[section]?.[name] !== undefined]).toEqual([reference, true]);
		}
	});
});

describe('GET /api/docs', () => {
	it('serves the browsable Swagger UI without credentials', async () => {
		// Without the trailing slash the page's relative asset URLs would miss: the hub redirects.
		const bare = await fetch(`${hub.url}/api/docs`, { redirect: 'manual' });
		expect([bare.status, bare.headers.get('location')]).toEqual([301, '/api/docs/']);
		const page = await hub.request('/api/docs/');
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toMatch(/text\/html/);
		expect(page.body).toContain('swagger-ui');
		const init = await hub.request('/api/docs/swagger-ui-init.js');
		expect(init.status).toBe(200);
		expect(init.body).toContain('openapi');
	});
});
