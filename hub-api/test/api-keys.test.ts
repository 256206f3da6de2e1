import { createManualClock, startTestHub, type TestHub } from './support';
import { expectDocumented } from './support/documented';

const START = '2026-03-10T12:00:00.000Z';
const clock = createManualClock(START);
const GRACE_SECONDS = 600;
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now, auth: { apiKeyRotationGraceSeconds: GRACE_SECONDS } });
});
afterAll(() => hub?.close());
afterEach(() => clock.set(START));

const me = (key: string) => hub.request('/api/auth/me', { key });

describe('creating keys', () => {
	it('gives a new key the member role unless told otherwise, and a person\'s key their account', async () => {
		const owner = await hub.registerUser();
		const created = await hub.request('/api/api-keys', { token: owner.accessToken, body: { name: 'n8n' } });
		expect(created.status).toBe(201);
		expectDocumented(created, 'post', '/api/api-keys');
		expect(created.body.apiKey).toMatchObject({ name: 'n8n', role: 'member', expiresAt: null });
		const whoAmI = await me(created.body.apiKey.key);
		expectDocumented(whoAmI, 'get', '/api/auth/me');
		expect(whoAmI.body.account.id).toBe(owner.account.id);
	});

	it('ignores accountId and scope in the body (mass assignment): the key is the caller\'s, account-scoped', async () => {
		const [owner, other] = await Promise.all([hub.registerUser(), hub.registerUser()]);
		const created = await hub.request('/api/api-keys', {
			token: owner.accessToken,
			body: { name: 'sneaky', accountId: other.account.id, scope: 'platform', plan: 'ultra' },
		});
		expect(created.status).toBe(201);
		const whoAmI = await me(created.body.apiKey.key);
		expect(whoAmI.body).toMatchObject({ apiKey: { scope: 'account' }, account: { id: owner.account.id } });
	});

	it('refuses a role above the creator\'s (403) and allows up to it', async () => {
		const owner = await hub.registerUser();
		const admin = await hub.addUser(owner.account.id, 'admin');
		const tooHigh = await hub.request('/api/api-keys', {
			token: admin.accessToken,
			body: { name: 'escalate', role: 'owner' },
		});
		expect(tooHigh.status).toBe(403);
		expect(tooHigh.body.error.code).toBe('insufficient_role');
		const equal = await hub.request('/api/api-keys', { token: admin.accessToken, body: { name: 'ops', role: 'admin' } });
		expect(equal.status).toBe(201);

		// A key creating keys is bound the same way.
		const adminKey = equal.body.apiKey.key;
		expect((await hub.request('/api/api-keys', { key: adminKey, body: { name: 'x', role: 'owner' } })).status).toBe(403);
		expect((await hub.request('/api/api-keys', { key: adminKey, body: { name: 'x', role: 'viewer' } })).status).toBe(201);
	});

	it('answers 422 for an unknown role', async () => {
		const owner = await hub.registerUser();
		const response = await hub.request('/api/api-keys', { token: owner.accessToken, body: { name: 'x', role: 'root' } });
		expect(response.status).toBe(422);
	});

	it('lists keys with prefix, name, role, last use and expiry, never the secret', async () => {
		const owner = await hub.registerUser();
		const created = await hub.request('/api/api-keys', {
			token: owner.accessToken,
			body: { name: 'crm', role: 'viewer', expiresAt: '2026-04-01T00:00:00.000Z' },
		});
		await me(created.body.apiKey.key);
		const list = await hub.request('/api/api-keys', { token: owner.accessToken });
		expect(list.status).toBe(200);
		expectDocumented(list, 'get', '/api/api-keys');
		expect(list.body.apiKeys).toEqual([
			{
				id: created.body.apiKey.id,
				name: 'crm',
				prefix: created.body.apiKey.prefix,
				scope: 'account',
				role: 'viewer',
				lastUsedAt: START,
				expiresAt: '2026-04-01T00:00:00.000Z',
				revokedAt: null,
				rotatedAt: null,
				replacedById: null,
				createdAt: expect.any(String),
			},
		]);
		expect(JSON.stringify(list.body)).not.toContain(created.body.apiKey.key);
	});
});

describe('POST /api/api-keys/:id/rotate', () => {
	async function keyToRotate(body: Record<string, unknown> = {}) {
		const owner = await hub.registerUser();
		const created = await hub.request('/api/api-keys', { token: owner.accessToken, body: { name: 'n8n prod', ...body } });
		return { owner, old: created.body.apiKey as { id: string; key: string; prefix: string } };
	}

	it('returns a new secret once; the old key works during the grace period, then answers 401', async () => {
		const { owner, old } = await keyToRotate({ role: 'admin', expiresAt: '2026-06-01T00:00:00.000Z' });
		const rotated = await hub.request(`/api/api-keys/${old.id}/rotate`, { token: owner.accessToken, method: 'POST' });
		expect(rotated.status).toBe(201);
		expectDocumented(rotated, 'post', '/api/api-keys/{id}/rotate');
		const successor = rotated.body.apiKey;
		expect(successor).toMatchObject({ name: 'n8n prod', role: 'admin', expiresAt: '2026-06-01T00:00:00.000Z' });
		expect(successor.key).not.toBe(old.key);
		expect(successor.id).not.toBe(old.id);
		expect(rotated.body.replaced).toEqual({ id: old.id, expiresAt: '2026-03-10T12:10:00.000Z' });

		expect((await me(successor.key)).status).toBe(200);
		clock.advance(GRACE_SECONDS * 1000 - 1000);
		expect((await me(old.key)).status).toBe(200);
		clock.advance(1000);
		expect((await me(old.key)).status).toBe(401);
		expect((await me(successor.key)).status).toBe(200);

		const list = await hub.request('/api/api-keys', { token: owner.accessToken });
		expectDocumented(list, 'get', '/api/api-keys');
		expect(list.body.apiKeys.find((key: { id: string }) => key.id === old.id)).toMatchObject({
			rotatedAt: START,
			replacedById: successor.id,
			expiresAt: '2026-03-10T12:10:00.000Z',
		});
	});

	it('keeps an earlier expiry of the old key (the grace period never extends a key)', async () => {
		const { owner, old } = await keyToRotate({ expiresAt: '2026-03-10T12:05:00.000Z' });
		const rotated = await hub.request(`/api/api-keys/${old.id}/rotate`, { token: owner.accessToken, method: 'POST' });
		expect(rotated.body.replaced.expiresAt).toBe('2026-03-10T12:05:00.000Z');
		clock.advance(5 * 60 * 1000);
		expect((await me(old.key)).status).toBe(401);
	});

	it('ends the grace period when the old key is revoked', async () => {
		const { owner, old } = await keyToRotate();
		await hub.request(`/api/api-keys/${old.id}/rotate`, { token: owner.accessToken, method: 'POST' });
		expect((await me(old.key)).status).toBe(200);
		const revoked = await hub.request(`/api/api-keys/${old.id}`, { token: owner.accessToken, method: 'DELETE' });
		expectDocumented(revoked, 'delete', '/api/api-keys/{id}');
		expect((await me(old.key)).status).toBe(401);
	});

	it('answers 409 for a key already rotated or revoked', async () => {
		const { owner, old } = await keyToRotate();
		const first = await hub.request(`/api/api-keys/${old.id}/rotate`, { token: owner.accessToken, method: 'POST' });
		const again = await hub.request(`/api/api-keys/${old.id}/rotate`, { token: owner.accessToken, method: 'POST' });
		expect(again.status).toBe(409);
		expect(again.body.error.code).toBe('api_key_not_rotatable');

		await hub.request(`/api/api-keys/${first.body.apiKey.id}`, { token: owner.accessToken, method: 'DELETE' });
		const revoked = await hub.request(`/api/api-keys/${first.body.apiKey.id}/rotate`, {
			token: owner.accessToken,
			method: 'POST',
		});
		expect(revoked.status).toBe(409);
	});

	it('lets exactly one of two concurrent rotations win, leaving one successor', async () => {
		const { owner, old } = await keyToRotate();
		const responses = await Promise.all(
			[1, 2].map(() => hub.request(`/api/api-keys/${old.id}/rotate`, { token: owner.accessToken, method: 'POST' })),
		);
		expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
		const [{ count }] = await hub.dataSource.query(
			'SELECT count(*)::int AS count FROM api_keys WHERE account_id = $1 AND name = $2',
			[owner.account.id, 'n8n prod'],
		);
		expect(count).toBe(2);
	});

	it('refuses an admin rotating or revoking an owner key (403), which would hand them an owner secret', async () => {
		const owner = await hub.registerUser();
		const admin = await hub.addUser(owner.account.id, 'admin');
		const ownerKey = await hub.request('/api/api-keys', { token: owner.accessToken, body: { name: 'root', role: 'owner' } });
		const id = ownerKey.body.apiKey.id;
		expect((await hub.request(`/api/api-keys/${id}/rotate`, { token: admin.accessToken, method: 'POST' })).status).toBe(
			403,
		);
		expect((await hub.request(`/api/api-keys/${id}`, { token: admin.accessToken, method: 'DELETE' })).status).toBe(403);
		expect((await me(ownerKey.body.apiKey.key)).status).toBe(200);
	});
});

describe('expired and revoked keys', () => {
	it('answer 401 at expiry and after revocation', async () => {
		const owner = await hub.registerUser();
		const expiring = await hub.request('/api/api-keys', {
			token: owner.accessToken,
			body: { name: 'short', expiresAt: '2026-03-10T12:30:00.000Z' },
		});
		const revoked = await hub.request('/api/api-keys', { token: owner.accessToken, body: { name: 'gone' } });
		await hub.request(`/api/api-keys/${revoked.body.apiKey.id}`, { token: owner.accessToken, method: 'DELETE' });
		expect((await me(revoked.body.apiKey.key)).status).toBe(401);
		expect((await me(expiring.body.apiKey.key)).status).toBe(200);
		clock.set('2026-03-10T12:30:00.000Z');
		expect((await me(expiring.body.apiKey.key)).status).toBe(401);
	});
});
