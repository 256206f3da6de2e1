import { randomUUID } from 'node:crypto';
import { createManualClock, startTestHub, type TestHub } from './support';
import { expectDocumented } from './support/documented';

const clock = createManualClock('2026-03-10T12:00:00.000Z');
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now });
});
afterAll(() => hub?.close());

describe('X-API-Key authentication', () => {
	it('identifies an account key and a platform key (GET /api/auth/me)', async () => {
		const { account, apiKey } = await hub.createTenant({ plan: 'premium' });
		const tenant = await hub.request('/api/auth/me', { key: apiKey.key });
		expect(tenant.status).toBe(200);
		expectDocumented(tenant, 'get', '/api/auth/me');
		expect(tenant.body).toEqual({
			apiKey: { id: apiKey.id, name: 'default', prefix: apiKey.prefix, scope: 'account' },
			account: { id: account.id, name: account.name, plan: 'premium' },
		});

		const platform = await hub.request('/api/auth/me', { key: hub.platformKey });
		expectDocumented(platform, 'get', '/api/auth/me');
		expect(platform.body).toMatchObject({ apiKey: { scope: 'platform' }, account: null });
	});

	it.each([
		['missing', undefined],
		['malformed', 'not-a-key'],
		['unknown', 'skb_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
	])('answers 401 invalid_api_key for a %s key', async (_case, key) => {
		const response = await hub.request('/api/auth/me', { key });
		expect(response.status).toBe(401);
		expect(response.body).toEqual({ error: { code: 'invalid_api_key', message: 'Missing or invalid API key' } });
	});

	it('rejects a key whose prefix exists but whose secret is wrong', async () => {
		const { apiKey } = await hub.createTenant();
		const forged = `skb_${apiKey.prefix}_${'B'.repeat(32)}`;
		expect((await hub.request('/api/auth/me', { key: forged })).status).toBe(401);
	});

	it('stops accepting a key once revoked, and keeps other keys working', async () => {
		const { apiKey } = await hub.createTenant();
		const second = await hub.request('/api/api-keys', { key: apiKey.key, body: { name: 'n8n production' } });
		expect(second.status).toBe(201);

		const revoked = await hub.request(`/api/api-keys/${second.body.apiKey.id}`, { key: apiKey.key, method: 'DELETE' });
		expect(revoked.status).toBe(204);
		expect((await hub.request('/api/auth/me', { key: second.body.apiKey.key })).status).toBe(401);
		expect((await hub.request('/api/auth/me', { key: apiKey.key })).status).toBe(200);
	});

	it('stops accepting a key at its expiry time', async () => {
		const { apiKey } = await hub.createTenant();
		const created = await hub.request('/api/api-keys', {
			key: apiKey.key,
			body: { name: 'short-lived', expiresAt: '2026-03-10T13:00:00.000Z' },
		});
		expect((await hub.request('/api/auth/me', { key: created.body.apiKey.key })).status).toBe(200);

		clock.set('2026-03-10T13:00:00.000Z');
		try {
			expect((await hub.request('/api/auth/me', { key: created.body.apiKey.key })).status).toBe(401);
		} finally {
			clock.set('2026-03-10T12:00:00.000Z');
		}
	});

	it('refuses an expiry in the past', async () => {
		const { apiKey } = await hub.createTenant();
		const response = await hub.request('/api/api-keys', {
			key: apiKey.key,
			body: { name: 'stale', expiresAt: '2026-03-10T11:00:00.000Z' },
		});
		expect(response.status).toBe(422);
		expect(response.body.error.details[0].path).toBe('body.expiresAt');
	});
});

describe('/api/api-keys', () => {
	it('returns the plaintext once and lists keys without secret or hash', async () => {
		const { apiKey } = await hub.createTenant();
		const created = await hub.request('/api/api-keys', { key: apiKey.key, body: { name: 'crm sync' } });
		expect(created.body.apiKey.key).toMatch(/^skb_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
		expect(created.body.apiKey.key.startsWith(`skb_${created.body.apiKey.prefix}_`)).toBe(true);

		const list = await hub.request('/api/api-keys', { key: apiKey.key });
		expect(list.status).toBe(200);
		expect(list.body.apiKeys.map((key: { name: string }) => key.name).sort()).toEqual(['crm sync', 'default']);
		const serialised = JSON.stringify(list.body);
		expect(serialised).not.toContain(created.body.apiKey.key);
		expect(serialised).not.toMatch(/hash|secret|"key"/i);
		// The key used for this very call has been seen.
		expect(list.body.apiKeys.find((key: { id: string }) => key.id === apiKey.id).lastUsedAt).toBe(
			'2026-03-10T12:00:00.000Z',
		);
	});

	it('stores only a hash of the key', async () => {
		const { apiKey } = await hub.createTenant();
		const rows = await hub.dataSource.query('SELECT * FROM api_keys WHERE id = $1', [apiKey.id]);
		// skb_<prefix>_<secret>: the secret is base64url, which may itself hold '_' (taking the last '_'-part alone made
		// this test compare a character or two, and fail whenever that tail happened to appear in the row).
		const secret = apiKey.key.slice(`skb_${rows[0].prefix}_`.length);
		expect(secret).toHaveLength(32);
		expect(JSON.stringify(rows)).not.toContain(secret);
		expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
	});

	it("answers 404 for another account's key and leaves it working", async () => {
		const [owner, intruder] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const response = await hub.request(`/api/api-keys/${owner.apiKey.id}`, {
			key: intruder.apiKey.key,
			method: 'DELETE',
		});
		expect(response.status).toBe(404);
		expect(response.body.error.code).toBe('api_key_not_found');
		expect((await hub.request('/api/auth/me', { key: owner.apiKey.key })).status).toBe(200);
		const intruderList = await hub.request('/api/api-keys', { key: intruder.apiKey.key });
		expect(intruderList.body.apiKeys.map((key: { id: string }) => key.id)).not.toContain(owner.apiKey.id);
	});

	it('answers 422 for an id that is not a uuid and 404 for an unknown one', async () => {
		const { apiKey } = await hub.createTenant();
		expect((await hub.request('/api/api-keys/42', { key: apiKey.key, method: 'DELETE' })).status).toBe(422);
		expect((await hub.request(`/api/api-keys/${randomUUID()}`, { key: apiKey.key, method: 'DELETE' })).status).toBe(
			404,
		);
	});

	it('is for account keys: the platform key gets 403', async () => {
		const response = await hub.request('/api/api-keys', { key: hub.platformKey });
		expect(response.status).toBe(403);
		expect(response.body.error.code).toBe('insufficient_scope');
	});
});

describe('platform-only routes', () => {
	it.each([
		['POST', '/api/accounts', { name: 'Sneaky' }],
		['GET', '/api/routing/instagram/1784', undefined],
	])('%s %s answers 403 to an account key', async (method, path, body) => {
		const { apiKey } = await hub.createTenant();
		const response = await hub.request(path, { method, key: apiKey.key, body });
		expect(response.status).toBe(403);
		expect(response.body.error.code).toBe('insufficient_scope');
	});

	it('POST /api/accounts onboards a tenant whose key works at once', async () => {
		const created = await hub.request('/api/accounts', { key: hub.platformKey, body: { name: 'Acme', plan: 'ultra' } });
		expect(created.status).toBe(201);
		expectDocumented(created, 'post', '/api/accounts');
		expect(created.body.account).toMatchObject({ name: 'Acme', plan: 'ultra' });
		expect(created.body.apiKey).toMatchObject({ name: 'default', prefix: expect.any(String), key: expect.any(String) });

		const me = await hub.request('/api/auth/me', { key: created.body.apiKey.key });
		expect(me.body.account).toEqual({ id: created.body.account.id, name: 'Acme', plan: 'ultra' });
	});

	it('POST /api/accounts defaults to Freemium and validates the plan', async () => {
		const created = await hub.request('/api/accounts', { key: hub.platformKey, body: { name: 'Small shop' } });
		expect(created.body.account.plan).toBe('freemium');
		const invalid = await hub.request('/api/accounts', { key: hub.platformKey, body: { name: 'X', plan: 'gold' } });
		expect(invalid.status).toBe(422);
	});
});
