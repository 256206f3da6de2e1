/**
 * TENANT ISOLATION MATRIX: account A's credentials on account B's ids must answer 404 (never 403, never 200), and
 * leave B's data untouched.
 *
 * EVERY ROUTE THAT TAKES AN ID (in the path, the query or the body) GETS A ROW IN `ROWS` BELOW. To add yours:
 *   - `route`: how the row is named in the test output;
 *   - `request(victim)`: the request to send, built from account B's fixture (`victim`). Create whatever B must own
 *     for the route (through the API with `victim.ownerToken` / `victim.apiKey`, or `hub`), then return
 *     { method, path, body? } naming B's id;
 *   - `code` (optional): the error code you expect with the 404.
 * Each row runs twice: with A's owner access token (Bearer) and with A's owner API key (X-API-Key).
 */
import { randomUUID } from 'node:crypto';
import { startTestHub, type TestHub, type TestUser } from './support';

interface Tenant {
	accountId: string;
	owner: TestUser;
	ownerToken: string;
	/** An owner-role account key. */
	apiKey: string;
	agentId: string;
	/** A second key of the account, safe to target. */
	spareKeyId: string;
}

interface IsolationRow {
	route: string;
	request: (victim: Tenant, hub: TestHub) => Promise<{ method: string; path: string; body?: unknown }>;
	code?: string;
}

const inboundMessage = () => ({
	provider: 'instagram',
	kind: 'dm',
	messageId: `mid-${randomUUID()}`,
	accountExternalId: '1784',
	conversationId: 'conversation',
	contact: { externalId: 'contact' },
	text: 'hello',
	timestamp: '2026-03-10T12:00:00.000Z',
});

const ROWS: IsolationRow[] = [
	{
		route: 'DELETE /api/api-keys/:id',
		request: async (victim) => ({ method: 'DELETE', path: `/api/api-keys/${victim.spareKeyId}` }),
		code: 'api_key_not_found',
	},
	{
		route: 'POST /api/api-keys/:id/rotate',
		request: async (victim) => ({ method: 'POST', path: `/api/api-keys/${victim.spareKeyId}/rotate` }),
		code: 'api_key_not_found',
	},
	{
		route: 'PATCH /api/users/:id',
		request: async (victim) => ({ method: 'PATCH', path: `/api/users/${victim.owner.user.id}`, body: { role: 'viewer' } }),
		code: 'user_not_found',
	},
	{
		route: 'DELETE /api/users/:id',
		request: async (victim) => ({ method: 'DELETE', path: `/api/users/${victim.owner.user.id}` }),
		code: 'user_not_found',
	},
	{
		route: 'POST /api/provider-accounts (agentId in body)',
		request: async (victim) => ({
			method: 'POST',
			path: '/api/provider-accounts',
			body: { provider: 'instagram', externalId: `page-${randomUUID()}`, agentId: victim.agentId },
		}),
		code: 'agent_not_found',
	},
	{
		route: 'POST /api/interactions (agentId in body)',
		request: async (victim) => ({
			method: 'POST',
			path: '/api/interactions',
			body: { status: 'replied', agentId: victim.agentId, message: inboundMessage() },
		}),
		code: 'agent_not_found',
	},
	{
		route: 'GET /api/agents/:id/stats',
		request: async (victim) => ({ method: 'GET', path: `/api/agents/${victim.agentId}/stats?period=3m` }),
		code: 'agent_not_found',
	},
	{
		route: 'GET /api/agents/:id/stats (platform-style accountId in the query)',
		request: async (victim) => ({
			method: 'GET',
			path: `/api/agents/${victim.agentId}/stats?accountId=${victim.accountId}`,
		}),
		code: 'agent_not_found',
	},
	{
		route: 'GET /api/agents/:id',
		request: async (victim) => ({ method: 'GET', path: `/api/agents/${victim.agentId}`, }),
		code: 'agent_not_found',
	},
	{
		route: 'PUT /api/agents/:id/toggle',
		request: async (victim) => ({ method: 'PUT', path: `/api/agents/${victim.agentId}/toggle`, }),
		code: 'agent_not_found',
	},
	{
		route: 'POST /api/agents/:id/retry',
		request: async (victim) => ({ method: 'POST', path: `/api/agents/${victim.agentId}/retry`,
			body: { config: {} }, }),
		code: 'agent_not_found',
	},
	{
		route: 'POST /api/agents/:id/upgrade',
		request: async (victim) => ({ method: 'POST', path: `/api/agents/${victim.agentId}/upgrade`, }),
		code: 'agent_not_found',
	},
	{
		route: 'POST /api/agents/:id/rollback',
		request: async (victim) => ({ method: 'POST', path: `/api/agents/${victim.agentId}/rollback`, }),
		code: 'agent_not_found',
	},
	{
		route: 'DELETE /api/agents/:id',
		request: async (victim) => ({ method: 'DELETE', path: `/api/agents/${victim.agentId}`, }),
		code: 'agent_not_found',
	},
	{
		route: 'GET /api/agents/:id (platform-style accountId in the query)',
		request: async (victim) => ({ method: 'GET', path: `/api/agents/${victim.agentId}?accountId=${victim.accountId}` }),
		code: 'agent_not_found',
	},
	{
		route: 'GET /api/leads/:id',
		request: async (victim, hub) => ({ method: 'GET', path: `/api/leads/${await victimLeadId(victim, hub)}` }),
		code: 'lead_not_found',
	},
	{
		route: 'GET /api/leads/:id (platform-style accountId in the query)',
		request: async (victim, hub) => ({
			method: 'GET',
			path: `/api/leads/${await victimLeadId(victim, hub)}?accountId=${victim.accountId}`,
		}),
		code: 'lead_not_found',
	},
	{
		route: 'POST /api/leads (agentId in body)',
		request: async (victim) => ({
			method: 'POST',
			path: '/api/leads',
			body: { provider: 'instagram', contact: { externalId: `contact-${randomUUID()}` }, agentId: victim.agentId },
		}),
		code: 'agent_not_found',
	},
	...(
		[
			['GET', ''],
			['GET', '/messages'],
			['POST', '/handover'],
			['POST', '/release'],
		] as const
	).map(([method, action]): IsolationRow => ({
		route: `${method} /api/conversations/:id${action}`,
		request: async (victim, hub) => ({ method, path: `/api/conversations/${await victimConversationId(victim, hub)}${action}` }),
		code: 'conversation_not_found',
	})),
	{
		route: 'POST /api/conversations/:id/handover (platform-style accountId in the body)',
		request: async (victim, hub) => ({
			method: 'POST',
			path: `/api/conversations/${await victimConversationId(victim, hub)}/handover`,
			body: { accountId: victim.accountId },
		}),
		code: 'conversation_not_found',
	},
];

/** A conversation of the victim's account: one message logged with the victim's own key, as the pipeline does. */
async function victimConversationId(victim: Tenant, hub: TestHub): Promise<string> {
	const logged = await hub.request('/api/interactions', {
		key: victim.apiKey,
		body: { status: 'skipped', reason: 'anti_flood', message: { ...inboundMessage(), conversationId: `conv-${randomUUID()}` } },
	});
	if (logged.status !== 201) throw new Error(`interaction fixture: ${logged.status} ${JSON.stringify(logged.body)}`);
	const listed = await hub.request('/api/conversations', { key: victim.apiKey });
	const conversation = listed.body.conversations.find(
		(row: { conversationId: string }) => row.conversationId === logged.body.conversationId,
	);
	if (!conversation) throw new Error('conversation fixture: not listed');
	return conversation.id;
}

/** A lead of the victim's account, created through the API with the victim's own key. */
async function victimLeadId(victim: Tenant, hub: TestHub): Promise<string> {
	const lead = await hub.request('/api/leads', {
		key: victim.apiKey,
		body: { provider: 'instagram', contact: { externalId: `contact-${randomUUID()}`, name: 'Victim lead' } },
	});
	if (lead.status !== 201) throw new Error(`lead fixture: ${lead.status} ${JSON.stringify(lead.body)}`);
	return lead.body.id;
}

let hub: TestHub;
let intruder: Tenant;
let victim: Tenant;

async function createTenant(): Promise<Tenant> {
	const owner = await hub.registerUser();
	const token = owner.accessToken;
	const ownerKey = await hub.request('/api/api-keys', { token, body: { name: 'owner key', role: 'owner' } });
	const spareKey = await hub.request('/api/api-keys', { token, body: { name: 'spare' } });
	const agent = await hub.request('/api/agents', { token, body: { name: 'agent' } });
	if (agent.status !== 201) throw new Error(`agent fixture: ${agent.status} ${JSON.stringify(agent.body)}`);
	return {
		accountId: owner.account.id,
		owner,
		ownerToken: token,
		apiKey: ownerKey.body.apiKey.key,
		agentId: agent.body.agent.id,
		spareKeyId: spareKey.body.apiKey.id,
	};
}

beforeAll(async () => {
	hub = await startTestHub();
	[intruder, victim] = [await createTenant(), await createTenant()];
});
afterAll(() => hub?.close());

describe.each(ROWS)('$route', (row) => {
	it.each([
		['an access token', () => ({ token: intruder.ownerToken })],
		['an API key', () => ({ key: intruder.apiKey })],
	])('answers 404 to another account with %s', async (_credential, credentials) => {
		const { method, path, body } = await row.request(victim, hub);
		const response = await hub.request(path, { method, body, ...credentials() });
		expect(response.status).toBe(404);
		if (row.code) expect(response.body.error.code).toBe(row.code);
	});
});

describe('after every cross-account attempt', () => {
	it("leaves the victim's credentials working, its owner an owner and its keys unrotated", async () => {
		expect((await hub.request('/api/auth/me', { key: victim.apiKey })).status).toBe(200);
		const me = await hub.request('/api/auth/me', { token: victim.ownerToken });
		expect(me.body.user.role).toBe('owner');
		const keys = await hub.request('/api/api-keys', { token: victim.ownerToken });
		expect(keys.body.apiKeys.every((key: { revokedAt: unknown; rotatedAt: unknown }) => !key.revokedAt && !key.rotatedAt)).toBe(
			true,
		);
	});

	it("never lists the victim's data to the intruder", async () => {
		const [keys, agents, leads, leadsCsv, conversations] = await Promise.all([
			hub.request('/api/api-keys', { token: intruder.ownerToken }),
			hub.request('/api/agents', { token: intruder.ownerToken }),
			hub.request(`/api/leads?accountId=${victim.accountId}`, { token: intruder.ownerToken }),
			hub.request(`/api/leads?format=csv&accountId=${victim.accountId}`, { key: intruder.apiKey }),
			hub.request(`/api/conversations?accountId=${victim.accountId}`, { token: intruder.ownerToken }),
		]);
		const seen = JSON.stringify([keys.body, agents.body, leads.body, leadsCsv.body, conversations.body]);
		expect(seen).not.toContain('Victim lead');
		expect(seen).not.toContain(victim.accountId);
		expect(seen).not.toContain(victim.agentId);
		expect(seen).not.toContain(victim.spareKeyId);
	});

	it("never lists the victim's people to the intruder", async () => {
		const users = await hub.request('/api/users', { token: intruder.ownerToken });
		expect(users.status).toBe(200);
		expect(JSON.stringify(users.body)).not.toContain(victim.owner.user.id);
		expect(JSON.stringify(users.body)).not.toContain(victim.owner.email);
	});

	it('ignores an accountId of another account in bodies and queries: the caller acts for its own account', async () => {
		const created = await hub.request('/api/agents', {
			token: intruder.ownerToken,
			body: { name: 'planted', accountId: victim.accountId },
		});
		expect(created.status).toBe(201);
		expect(created.body.agent.accountId).toBe(intruder.accountId);
		const listed = await hub.request(`/api/agents?accountId=${victim.accountId}`, { token: intruder.ownerToken });
		expect(JSON.stringify(listed.body)).not.toContain(victim.agentId);
	});
});
