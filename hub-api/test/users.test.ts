import { startTestHub, type TestHub } from './support';
import { expectDocumented } from './support/documented';

let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub();
});
afterAll(() => hub?.close());

const addPerson = (token: string, body: Record<string, unknown>) =>
	hub.request('/api/users', {
		token,
		body: { email: `p-${Math.random().toString(36).slice(2)}@example.test`, password: 'correct horse battery', ...body },
	});

describe('/api/users', () => {
	it('lets an owner add a person who can then log in with the given role', async () => {
		const owner = await hub.registerUser();
		const added = await addPerson(owner.accessToken, { name: 'Bo', role: 'viewer', accountId: 'ignored' });
		expect(added.status).toBe(201);
		expectDocumented(added, 'post', '/api/users');
		expect(added.body.user).toMatchObject({ accountId: owner.account.id, name: 'Bo', role: 'viewer' });
		const login = await hub.request('/api/auth/login', {
			body: { email: added.body.user.email, password: 'correct horse battery' },
		});
		expect(login.status).toBe(200);
		expect(login.body.user.role).toBe('viewer');

		const list = await hub.request('/api/users', { token: login.body.tokens.accessToken });
		expect(list.status).toBe(200);
		expectDocumented(list, 'get', '/api/users');
		expect(list.body.users.map((user: { id: string }) => user.id)).toEqual([owner.user.id, added.body.user.id]);
		expect(JSON.stringify(list.body)).not.toMatch(/hash|password/i);
	});

	it('defaults to member, and refuses a role above the caller\'s or a taken e-mail', async () => {
		const owner = await hub.registerUser();
		const admin = await hub.addUser(owner.account.id, 'admin');
		expect((await addPerson(admin.accessToken, {})).body.user.role).toBe('member');
		expect((await addPerson(admin.accessToken, { role: 'owner' })).status).toBe(403);
		expect((await addPerson(admin.accessToken, { email: owner.email })).status).toBe(409);
	});

	it('keeps members and viewers from managing people', async () => {
		const owner = await hub.registerUser();
		const member = await hub.addUser(owner.account.id, 'member');
		expect((await addPerson(member.accessToken, { role: 'viewer' })).status).toBe(403);
		const patch = await hub.request(`/api/users/${owner.user.id}`, {
			token: member.accessToken,
			method: 'PATCH',
			body: { role: 'viewer' },
		});
		expect(patch.status).toBe(403);
	});

	it('changes roles, but never above the caller\'s nor on someone above them', async () => {
		const owner = await hub.registerUser();
		const admin = await hub.addUser(owner.account.id, 'admin');
		const member = await hub.addUser(owner.account.id, 'member');
		const promote = (token: string, id: string, role: string) =>
			hub.request(`/api/users/${id}`, { token, method: 'PATCH', body: { role } });
		const promoted = await promote(admin.accessToken, member.user.id, 'admin');
		expectDocumented(promoted, 'patch', '/api/users/{id}');
		expect(promoted.body.user.role).toBe('admin');
		expect((await promote(admin.accessToken, member.user.id, 'owner')).status).toBe(403);
		expect((await promote(admin.accessToken, owner.user.id, 'viewer')).status).toBe(403);
		// The new role applies to the person's next request.
		expect((await hub.request('/api/api-keys', { token: member.accessToken })).status).toBe(200);
	});

	it('always keeps an owner: the last one can be neither demoted nor removed', async () => {
		const owner = await hub.registerUser();
		const demote = await hub.request(`/api/users/${owner.user.id}`, {
			token: owner.accessToken,
			method: 'PATCH',
			body: { role: 'admin' },
		});
		expect(demote.status).toBe(409);
		expect(demote.body.error.code).toBe('last_owner');
		expect((await hub.request(`/api/users/${owner.user.id}`, { token: owner.accessToken, method: 'DELETE' })).status).toBe(409);
	});

	it('lets only one of two owners demoting each other at once succeed', async () => {
		// The loser gets 409 last_owner, or 403 when the winner's change already made it an admin.
		const first = await hub.registerUser();
		const second = await hub.addUser(first.account.id, 'owner');
		const responses = await Promise.all([
			hub.request(`/api/users/${second.user.id}`, { token: first.accessToken, method: 'PATCH', body: { role: 'admin' } }),
			hub.request(`/api/users/${first.user.id}`, { token: second.accessToken, method: 'PATCH', body: { role: 'admin' } }),
		]);
		const statuses = responses.map((response) => response.status).sort();
		expect(statuses[0]).toBe(200);
		expect([403, 409]).toContain(statuses[1]);
		const [{ count }] = await hub.dataSource.query(
			`SELECT count(*)::int AS count FROM users WHERE account_id = $1 AND role = 'owner'`,
			[first.account.id],
		);
		expect(count).toBe(1);
	});

	it('removes a person and ends their sessions at once', async () => {
		const owner = await hub.registerUser();
		const member = await hub.addUser(owner.account.id, 'member');
		const removed = await hub.request(`/api/users/${member.user.id}`, { token: owner.accessToken, method: 'DELETE' });
		expect(removed.status).toBe(204);
		expectDocumented(removed, 'delete', '/api/users/{id}');
		expect((await hub.request('/api/auth/me', { token: member.accessToken })).status).toBe(401);
		expect((await hub.request('/api/auth/refresh', { body: { refreshToken: member.refreshToken } })).status).toBe(401);
	});

	it('is for the account\'s own principals: the platform key gets 403', async () => {
		expect((await hub.request('/api/users', { key: hub.platformKey })).status).toBe(403);
	});
});
