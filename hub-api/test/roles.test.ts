import { startTestHub, type TestHub, type TestUser } from './support';

let hub: TestHub;
let people: Record<'owner' | 'admin' | 'member' | 'viewer', TestUser>;

beforeAll(async () => {
	hub = await startTestHub();
	const owner = await hub.registerUser();
	const [admin, member, viewer] = await Promise.all(
		(['admin', 'member', 'viewer'] as const).map((role) => hub.addUser(owner.account.id, role)),
	);
	people = { owner, admin: admin!, member: member!, viewer: viewer! };
});
afterAll(() => hub?.close());

type Person = keyof typeof people;

/**
 * What each role may do, route by route. `allowed` lists the roles that pass; everyone else gets 403
 * insufficient_role. Routes added by other modules can be added as rows.
 */
const MATRIX: { route: string; allowed: Person[]; request: () => { method: string; path: string; body?: unknown } }[] = [
	{ route: 'GET /api/auth/me', allowed: ['owner', 'admin', 'member', 'viewer'], request: () => ({ method: 'GET', path: '/api/auth/me' }) },
	{ route: 'GET /api/agents', allowed: ['owner', 'admin', 'member', 'viewer'], request: () => ({ method: 'GET', path: '/api/agents' }) },
	{
		route: 'GET /api/interactions',
		allowed: ['owner', 'admin', 'member', 'viewer'],
		request: () => ({ method: 'GET', path: '/api/interactions' }),
	},
	{
		route: 'GET /api/analytics/overview',
		allowed: ['owner', 'admin', 'member', 'viewer'],
		request: () => ({ method: 'GET', path: '/api/analytics/overview' }),
	},
	{
		route: 'GET /api/analytics/costs',
		allowed: ['owner', 'admin', 'member', 'viewer'],
		request: () => ({ method: 'GET', path: '/api/analytics/costs?period=3m' }),
	},
	{
		route: 'POST /api/quotas/consume',
		allowed: ['owner', 'admin', 'member'],
		request: () => ({ method: 'POST', path: '/api/quotas/consume', body: { messageId: `m-${Math.random()}`, conversationId: 'c' } }),
	},
	{ route: 'GET /api/api-keys', allowed: ['owner', 'admin'], request: () => ({ method: 'GET', path: '/api/api-keys' }) },
	{
		route: 'POST /api/api-keys',
		allowed: ['owner', 'admin'],
		request: () => ({ method: 'POST', path: '/api/api-keys', body: { name: 'k', role: 'viewer' } }),
	},
];

describe.each(MATRIX)('$route', ({ allowed, request }) => {
	it.each(['owner', 'admin', 'member', 'viewer'] as Person[])('as %s', async (person) => {
		const { method, path, body } = request();
		const response = await hub.request(path, { method, body, token: people[person].accessToken });
		if (allowed.includes(person)) {
			expect(response.status).toBeLessThan(300);
		} else {
			expect(response.status).toBe(403);
			expect(response.body.error.code).toBe('insufficient_role');
		}
	});
});

describe('roles of API keys', () => {
	it('bind keys like people: a viewer key reads but cannot write, a member key cannot manage keys', async () => {
		const viewerKey = await hub.request('/api/api-keys', {
			token: people.owner.accessToken,
			body: { name: 'dashboard', role: 'viewer' },
		});
		const memberKey = await hub.request('/api/api-keys', { token: people.owner.accessToken, body: { name: 'n8n' } });
		const viewer = viewerKey.body.apiKey.key;
		const member = memberKey.body.apiKey.key;
		expect((await hub.request('/api/interactions', { key: viewer })).status).toBe(200);
		const write = await hub.request('/api/quotas/consume', { key: viewer, body: { messageId: 'm1', conversationId: 'c' } });
		expect(write.status).toBe(403);
		expect((await hub.request('/api/quotas/consume', { key: member, body: { messageId: 'm1', conversationId: 'c' } })).status).toBe(200);
		expect((await hub.request('/api/api-keys', { key: member })).status).toBe(403);
		expect((await hub.request('/api/api-keys', { key: member, body: { name: 'more' } })).status).toBe(403);
	});

	it('keep platform-only routes for the platform key: a person gets 403 insufficient_scope', async () => {
		const response = await hub.request('/api/accounts', { token: people.owner.accessToken, body: { name: 'Mine' } });
		expect(response.status).toBe(403);
		expect(response.body.error.code).toBe('insufficient_scope');
		expect((await hub.request('/api/routing/instagram/1784', { token: people.owner.accessToken })).status).toBe(403);
	});

	it('let the platform key keep its meaning on pipeline routes (no role of its own)', async () => {
		const response = await hub.request('/api/quotas/consume', {
			key: hub.platformKey,
			body: { accountId: people.owner.account.id, messageId: 'p1', conversationId: 'c' },
		});
		expect(response.status).toBe(200);
		expect((await hub.request('/api/api-keys', { key: hub.platformKey })).status).toBe(403);
	});
});
