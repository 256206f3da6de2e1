import { randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from './support';
import { expectDocumented } from './support/documented';

let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub();
});
afterAll(() => hub?.close());

const pageId = () => `page-${randomUUID()}`;

describe('POST /api/provider-accounts and GET /api/routing', () => {
	it('routes a claimed provider account to its tenant and agent', async () => {
		const { account, agent } = await hub.createTenant({ plan: 'premium' });
		const externalId = pageId();
		const claimed = await hub.request('/api/provider-accounts', {
			key: hub.platformKey,
			body: { provider: 'messenger', externalId, agentId: agent.id, name: 'Main page', accountId: account.id },
		});
		expect(claimed.status).toBe(201);
		expectDocumented(claimed, 'post', '/api/provider-accounts');
		expect(claimed.body.providerAccount).toMatchObject({ provider: 'messenger', externalId, agentId: agent.id });

		const route = await hub.request(`/api/routing/messenger/${externalId}`, { key: hub.platformKey });
		expect(route.status).toBe(200);
		expectDocumented(route, 'get', '/api/routing/{provider}/{accountExternalId}');
		expect(route.body).toEqual({
			provider: 'messenger',
			accountExternalId: externalId,
			accountId: account.id,
			agentId: agent.id,
			plan: 'premium',
			active: true,
			inactiveReason: null,
		});
	});

	it('marks the route inactive while its agent is switched off or its account deactivated', async () => {
		const externalId = pageId();
		const { account, agent, apiKey } = await hub.createTenant({ externalAccount: { provider: 'messenger', externalId } });
		const route = async () => (await hub.request(`/api/routing/messenger/${externalId}`, { key: hub.platformKey })).body;
		const toggle = () => hub.request(`/api/agents/${agent.id}/toggle`, { key: apiKey.key, method: 'PUT' });

		expect((await toggle()).body.agent.status).toBe('INACTIVE');
		expect(await route()).toMatchObject({ agentId: agent.id, active: false, inactiveReason: 'agent_inactive' });
		expect((await toggle()).body.agent.status).toBe('ACTIVE');
		expect(await route()).toMatchObject({ active: true, inactiveReason: null });

		// What billing records when the account's Stripe customer is deleted (billing.test.ts drives the real event).
		await hub.dataSource.query(`INSERT INTO billing_customers (account_id, deactivated_at) VALUES ($1, now())`, [account.id]);
		expect(await route()).toMatchObject({ active: false, inactiveReason: 'account_deactivated' });
	});

	it('keeps a provider account without a linked agent active', async () => {
		const { account } = await hub.createTenant();
		const externalId = pageId();
		await hub.request('/api/provider-accounts', { key: hub.platformKey, body: { provider: 'instagram', externalId, accountId: account.id } });
		const route = await hub.request(`/api/routing/instagram/${externalId}`, { key: hub.platformKey });
		expect(route.body).toMatchObject({ agentId: null, active: true, inactiveReason: null });
	});

	it('is idempotent for the same tenant (200) and refuses another tenant (409)', async () => {
		const [owner, rival] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const body = { provider: 'instagram', externalId: pageId() };
		const operatorClaim = { key: hub.platformKey, body: { ...body, accountId: owner.account.id } };
		expect((await hub.request('/api/provider-accounts', operatorClaim)).status).toBe(201);
		const again = await hub.request('/api/provider-accounts', {
			key: owner.apiKey.key,
			body: { ...body, name: 'renamed' },
		});
		expect(again.status).toBe(200);
		expectDocumented(again, 'post', '/api/provider-accounts');
		expect(again.body.providerAccount.name).toBe('renamed');

		const taken = await hub.request('/api/provider-accounts', { key: rival.apiKey.key, body });
		expect(taken.status).toBe(409);
		expectDocumented(taken, 'post', '/api/provider-accounts');
		expect(taken.body.error.code).toBe('provider_account_taken');
		const route = await hub.request(`/api/routing/instagram/${body.externalId}`, { key: hub.platformKey });
		expect(route.body.accountId).toBe(owner.account.id);
	});

	it('lets exactly one of two tenants racing for one page win', async () => {
		const [first, second] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const body = { provider: 'whatsapp', externalId: pageId() };
		const statuses = (
			await Promise.all(
				[first, second].map((tenant) =>
					hub.request('/api/provider-accounts', { key: hub.platformKey, body: { ...body, accountId: tenant.account.id } }),
				),
			)
		).map((response) => response.status);
		expect(statuses.sort()).toEqual([201, 409]);
	});

	it("refuses a tenant's own claim of an account no OAuth connection proved (403), storing nothing", async () => {
		const tenant = await hub.createTenant();
		const person = await hub.addUser(tenant.account.id, 'owner');
		const externalId = pageId();
		for (const credential of [{ key: tenant.apiKey.key }, { token: person.accessToken }]) {
			const response = await hub.request('/api/provider-accounts', { ...credential, body: { provider: 'messenger', externalId } });
			expect([response.status, response.body.error.code]).toEqual([403, 'ownership_unproven']);
			expectDocumented(response, 'post', '/api/provider-accounts');
		}
		const route = await hub.request(`/api/routing/messenger/${externalId}`, { key: hub.platformKey });
		expect(route.status).toBe(404);
	});

	it('lets a tenant link its agent to an account it holds', async () => {
		const externalId = pageId();
		const { agent, apiKey } = await hub.createTenant({ externalAccount: { provider: 'messenger', externalId } });
		const other = await hub.request('/api/agents', { key: apiKey.key, body: { name: 'Weekend' } });
		const linked = await hub.request('/api/provider-accounts', {
			key: apiKey.key,
			body: { provider: 'messenger', externalId, agentId: other.body.agent.id },
		});
		expect(linked.status).toBe(200);
		expect(linked.body.providerAccount.agentId).not.toBe(agent.id);
		expect(linked.body.providerAccount.agentId).toBe(other.body.agent.id);
	});

	it("refuses another tenant's agent with 404", async () => {
		const [caller, other] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const response = await hub.request('/api/provider-accounts', {
			key: caller.apiKey.key,
			body: { provider: 'instagram', externalId: pageId(), agentId: other.agent.id },
		});
		expect(response.status).toBe(404);
		expect(response.body.error.code).toBe('agent_not_found');
	});

	it('lists only the caller’s provider accounts', async () => {
		const [caller, other] = await Promise.all([
			hub.createTenant({ externalAccount: { provider: 'instagram', externalId: pageId() } }),
			hub.createTenant({ externalAccount: { provider: 'instagram', externalId: pageId() } }),
		]);
		const list = await hub.request('/api/provider-accounts', { key: caller.apiKey.key });
		expectDocumented(list, 'get', '/api/provider-accounts');
		expect(list.body.providerAccounts.map((row: { id: string }) => row.id)).toEqual([caller.providerAccount!.id]);
		expect(JSON.stringify(list.body)).not.toContain(other.providerAccount!.externalId);
	});

	it('answers 404 route_not_found for an unclaimed account and 422 for an unknown provider', async () => {
		const missing = await hub.request(`/api/routing/instagram/${pageId()}`, { key: hub.platformKey });
		expect(missing.status).toBe(404);
		expect(missing.body.error.code).toBe('route_not_found');
		expect((await hub.request('/api/routing/myspace/1', { key: hub.platformKey })).status).toBe(422);
	});
});

describe('/api/agents', () => {
	it('creates and lists the caller’s agents', async () => {
		const { agent, apiKey, account } = await hub.createTenant();
		const created = await hub.request('/api/agents', { key: apiKey.key, body: { name: 'Night shift' } });
		expect(created.status).toBe(201);
		expectDocumented(created, 'post', '/api/agents');
		expect(created.body.agent).toMatchObject({ accountId: account.id, name: 'Night shift', status: 'ACTIVE' });

		const list = await hub.request('/api/agents', { key: apiKey.key });
		expectDocumented(list, 'get', '/api/agents');
		expect(list.body.agents.map((row: { id: string }) => row.id).sort()).toEqual(
			[agent.id, created.body.agent.id].sort(),
		);
	});

	it('needs accountId with the platform key', async () => {
		const { account } = await hub.createTenant();
		expect((await hub.request('/api/agents', { key: hub.platformKey, body: { name: 'A' } })).status).toBe(422);
		const created = await hub.request('/api/agents', {
			key: hub.platformKey,
			body: { name: 'A', accountId: account.id },
		});
		expect(created.status).toBe(201);
		const list = await hub.request(`/api/agents?accountId=${account.id}`, { key: hub.platformKey });
		expect(list.body.agents).toHaveLength(2);
		expect((await hub.request(`/api/agents?accountId=${randomUUID()}`, { key: hub.platformKey })).status).toBe(404);
	});
});
