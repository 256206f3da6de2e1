/**
 * Agents installed from templates, against a fake of n8n's public API that checks the documented shapes and keeps
 * n8n-like state (test/fakes/n8n-public-api.ts). The real n8n is exercised in test/e2e/agents.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeN8n, startFakeN8n } from '../../test/fakes/n8n-public-api';
import { defaultTemplatesDir } from '../src/modules/templates/template-catalogue';
import { createTestDatabase, startTestHub, TEST_WEBHOOK_SECRET, type TestDatabase, type TestHub } from './support';
import { expectDocumented } from './support/documented';

let database: TestDatabase;
let n8n: FakeN8n;
let hub: TestHub;

beforeAll(async () => {
	database = await createTestDatabase();
	n8n = await startFakeN8n();
	hub = await startTestHub({ database, deploy: { n8n: { url: n8n.url, apiKey: n8n.apiKey } } });
});
afterAll(async () => {
	await hub?.close();
	await n8n?.close();
	await database?.drop();
});
afterEach(() => n8n.heal());

const SECRETS = {
	metaAppSecret: 'meta-app-secret',
	metaVerifyToken: 'meta-verify-token',
	metaAccessToken: 'meta-access-token',
	openAiApiKey: 'sk-test-openai',
};
const responderConfig = (extra: Record<string, unknown> = {}) => ({
	businessName: 'Atelier Lumière',
	businessContext: 'Open 9-18, Tuesday to Saturday.',
	...SECRETS,
	...extra,
});

async function install(key: string, body: Record<string, unknown> = {}) {
	return hub.request('/api/agents/from-template', {
		key,
		body: { templateSlug: 'inbound-dm-auto-responder', name: 'Front desk', config: responderConfig(), ...body },
	});
}

const agentRow = async (id: string) =>
	((await hub.dataSource.query('SELECT * FROM agents WHERE id = $1', [id])) as Record<string, unknown>[])[0]!;

describe('POST /api/agents/from-template', () => {
	it('creates the credentials and the workflow in n8n, publishes it and records the agent ACTIVE', async () => {
		const { account, apiKey } = await hub.createTenant();
		const response = await install(apiKey.key);
		expect(response.status).toBe(201);
		expectDocumented(response, 'post', '/api/agents/from-template');
		const agent = response.body.agent;
		expect(agent).toMatchObject({
			accountId: account.id,
			name: 'Front desk',
			status: 'ACTIVE',
			type: 'SUPPORT',
			templateSlug: 'inbound-dm-auto-responder',
			templateVersion: '1.0.0',
			errorReason: null,
			counts: { interactions: 0, versions: 1 },
			versions: [{ version: 1, templateVersion: '1.0.0', current: true }],
		});
		// Defaults from the schema are filled in; secrets are not returned.
		expect(agent.config).toEqual({
			businessName: 'Atelier Lumière',
			businessContext: 'Open 9-18, Tuesday to Saturday.',
			model: 'gpt-4o-mini',
			floodWindowMinutes: 5,
			graphBaseUrl: 'https://graph.facebook.com',
			openAiBaseUrl: 'https://api.openai.com/v1',
		});

		const workflow = n8n.workflows.get(agent.n8nWorkflowId)!;
		expect(workflow.active).toBe(true);
		expect(workflow.name).toContain(agent.id);
		expect(workflow.name).toContain(account.id);
		const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-skybot.skyBotMetaTrigger')!;
		expect(trigger.parameters!.path).toBe(`skybot/${agent.id}/meta`);
		const reply = workflow.nodes.find((node) => node.name === 'Write reply')!;
		expect(reply.parameters).toMatchObject({ businessName: 'Atelier Lumière', model: 'gpt-4o-mini' });
		const decide = workflow.nodes.find((node) => node.name === 'Decide')!;
		expect(decide.parameters!.floodWindowMinutes).toBe(5);
		const tagNames = workflow.tagIds.map((id) => n8n.tags.get(id)!.name).sort();
		expect(tagNames).toEqual([
			`acct-${account.id.replace(/-/g, '')}`.slice(0, 24),
			`agent-${agent.id.replace(/-/g, '')}`.slice(0, 24),
		]);

		// Secrets went to n8n credentials, and only there.
		const row = await agentRow(agent.id);
		const credentialIds = row.n8n_credential_ids as Record<string, string>;
		expect(Object.keys(credentialIds).sort()).toEqual(['hub', 'metaApp', 'openAi']);
		expect(n8n.credentials.get(credentialIds.metaApp!)!.data).toMatchObject({
			appSecret: SECRETS.metaAppSecret,
			verifyToken: SECRETS.metaVerifyToken,
			accessToken: SECRETS.metaAccessToken,
		});
		expect(n8n.credentials.get(credentialIds.openAi!)!.data).toEqual({
			apiKey: SECRETS.openAiApiKey,
			url: 'https://api.openai.com/v1',
		});
		const stored = JSON.stringify(await hub.dataSource.query('SELECT * FROM agents a JOIN agent_versions v ON v.agent_id = a.id WHERE a.id = $1', [agent.id]));
		for (const secret of Object.values(SECRETS)) expect(stored).not.toContain(secret);

		// The agent's own hub key sits in its SkyBot Hub API credential and acts for the tenant only.
		const hubCredential = n8n.credentials.get(credentialIds.hub!)!.data as {
			baseUrl: string;
			apiKey: string;
			webhookSecret: string;
		};
		expect(hubCredential.baseUrl).toBe(hub.url);
		// The workflow signs its execution reports with the hub's SKYBOT_WEBHOOK_SECRET.
		expect(hubCredential.webhookSecret).toBe(TEST_WEBHOOK_SECRET);
		expect(stored).not.toContain(TEST_WEBHOOK_SECRET);
		expect(stored).not.toContain(hubCredential.apiKey);
		const asAgent = await hub.request('/api/agents', { key: hubCredential.apiKey });
		expect(asAgent.status).toBe(200);
		expectDocumented(asAgent, 'get', '/api/agents');
		expect(asAgent.body.agents.every((listed: { accountId: string }) => listed.accountId === account.id)).toBe(true);
	});

	it('answers 422 with every configuration problem and creates nothing', async () => {
		const { apiKey } = await hub.createTenant();
		const before = n8n.requests.length;
		const agentsBefore = (await hub.request('/api/agents', { key: apiKey.key })).body.agents;
		const response = await install(apiKey.key, {
			config: { businessName: '', floodWindowMinutes: 0, metaAppSecret: 'x', surprise: true },
		});
		expect(response.status).toBe(422);
		const paths = response.body.error.details.map((issue: { path: string }) => issue.path);
		expect(paths).toEqual(
			expect.arrayContaining([
				'body.config.businessName',
				'body.config.floodWindowMinutes',
				'body.config.metaVerifyToken',
				'body.config.openAiApiKey',
				'body.config.surprise',
			]),
		);
		expect(n8n.requests.length).toBe(before);
		expect((await hub.request('/api/agents', { key: apiKey.key })).body.agents).toEqual(agentsBefore);
	});

	it('answers 404 for an unknown template and 422 without a configuration', async () => {
		const { apiKey } = await hub.createTenant();
		const unknown = await install(apiKey.key, { templateSlug: 'nope' });
		expect(unknown.status).toBe(404);
		expect(unknown.body.error.code).toBe('template_not_found');
		const noConfig = await hub.request('/api/agents/from-template', {
			key: apiKey.key,
			body: { templateSlug: 'lead-qualifier' },
		});
		expect(noConfig.status).toBe(422);
	});

	it('ignores mass-assigned fields: status, n8n ids and another account', async () => {
		const [caller, other] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const response = await install(caller.apiKey.key, {
			accountId: other.account.id,
			status: 'INACTIVE',
			n8nWorkflowId: 'forged',
			templateVersion: '9.9.9',
			type: 'LEGAL',
		});
		expect(response.status).toBe(201);
		expect(response.body.agent).toMatchObject({
			accountId: caller.account.id,
			status: 'ACTIVE',
			templateVersion: '1.0.0',
			type: 'SUPPORT',
		});
		expect(response.body.agent.n8nWorkflowId).not.toBe('forged');
	});

	it('rolls a failed install back in n8n and leaves the agent in ERROR with the reason, then retries', async () => {
		const { account, apiKey } = await hub.createTenant();
		const credentialsBefore = n8n.credentials.size;
		const workflowsBefore = n8n.workflows.size;
		// 3 credentials, the workflow, 2 tags (look up + create each), the tag assignment go through; publish fails.
		n8n.failCalls({ after: 9, count: 1 });
		const failed = await install(apiKey.key);
		expect(failed.status).toBe(502);
		expect(failed.body.error.code).toBe('n8n_error');
		const agentId = failed.body.error.details.agentId;
		expect(failed.body.error.details.status).toBe('ERROR');
		expectDocumented(failed, 'post', '/api/agents/from-template');
		expect(n8n.credentials.size).toBe(credentialsBefore);
		expect(n8n.workflows.size).toBe(workflowsBefore);

		const detail = await hub.request(`/api/agents/${agentId}`, { key: apiKey.key });
		expectDocumented(detail, 'get', '/api/agents/{id}');
		expect(detail.body.agent).toMatchObject({ status: 'ERROR', n8nWorkflowId: null, accountId: account.id });
		expect(detail.body.agent.errorReason).toContain('publish');
		const row = await agentRow(agentId);
		expect(row.n8n_credential_ids).toEqual({});
		const keys = await hub.dataSource.query('SELECT revoked_at FROM api_keys WHERE name = $1', [`agent ${agentId}`]);
		expect(keys).toHaveLength(1);
		expect(keys[0].revoked_at).not.toBeNull();

		// Secrets are never stored: a retry must bring them again.
		const withoutSecrets = await hub.request(`/api/agents/${agentId}/retry`, { key: apiKey.key, body: {} });
		expect(withoutSecrets.status).toBe(422);
		const retried = await hub.request(`/api/agents/${agentId}/retry`, { key: apiKey.key, body: { config: SECRETS } });
		expect(retried.status).toBe(200);
		expect(retried.body.agent).toMatchObject({ id: agentId, status: 'ACTIVE', errorReason: null });
		expectDocumented(retried, 'post', '/api/agents/{id}/retry');
		expect(n8n.workflows.get(retried.body.agent.n8nWorkflowId)!.active).toBe(true);
	});

	it('remembers what n8n kept when it dies halfway, and a retry cleans it up', async () => {
		const { apiKey } = await hub.createTenant();
		const credentialsBefore = new Set(n8n.credentials.keys());
		// Two credentials are created, then n8n fails every call, including the clean-up.
		n8n.failCalls({ after: 2 });
		const failed = await install(apiKey.key);
		expect(failed.status).toBe(502);
		const agentId = failed.body.error.details.agentId;
		const row = await agentRow(agentId);
		expect(row.status).toBe('ERROR');
		expect(row.error_reason).toContain('n8n still holds 2 part(s)');
		const leftovers = Object.values(row.n8n_credential_ids as Record<string, string>);
		expect(leftovers).toHaveLength(2);
		for (const id of leftovers) expect(n8n.credentials.has(id)).toBe(true);

		n8n.heal();
		const retried = await hub.request(`/api/agents/${agentId}/retry`, { key: apiKey.key, body: { config: SECRETS } });
		expect(retried.status).toBe(200);
		for (const id of leftovers) expect(n8n.credentials.has(id)).toBe(false);
		const now = Object.values((await agentRow(agentId)).n8n_credential_ids as Record<string, string>);
		expect([...n8n.credentials.keys()].filter((id) => !credentialsBefore.has(id)).sort()).toEqual(now.sort());
	});

	it('takes over an agent a stopped hub left DEPLOYING, once the operation is stale, and only once', async () => {
		const { apiKey } = await hub.createTenant();
		const agent = (await install(apiKey.key)).body.agent;
		await hub.dataSource.query(`UPDATE agents SET status = 'DEPLOYING', updated_at = now() WHERE id = $1`, [agent.id]);
		const fresh = await hub.request(`/api/agents/${agent.id}/retry`, { key: apiKey.key, body: { config: SECRETS } });
		expect(fresh.status).toBe(409);
		expect((await hub.request(`/api/agents/${agent.id}`, { key: apiKey.key, method: 'DELETE' })).status).toBe(409);

		await hub.dataSource.query(`UPDATE agents SET updated_at = now() - interval '11 minutes' WHERE id = $1`, [agent.id]);
		const [first, second] = await Promise.all(
			[1, 2].map(() => hub.request(`/api/agents/${agent.id}/retry`, { key: apiKey.key, body: { config: SECRETS } })),
		);
		expect([first!.status, second!.status].sort()).toEqual([200, 409]);
		const retried = first!.status === 200 ? first! : second!;
		expect(retried.body.agent).toMatchObject({ id: agent.id, status: 'ACTIVE' });
		// What the interrupted install had created in n8n was removed first.
		expect(n8n.workflows.has(agent.n8nWorkflowId)).toBe(false);
		expect(n8n.workflows.get(retried.body.agent.n8nWorkflowId)!.active).toBe(true);
	});

	it('refuses to retry an agent that is not in ERROR', async () => {
		const { apiKey } = await hub.createTenant();
		const agent = (await install(apiKey.key)).body.agent;
		const response = await hub.request(`/api/agents/${agent.id}/retry`, { key: apiKey.key, body: { config: SECRETS } });
		expect(response.status).toBe(409);
		expect(response.body.error.code).toBe('agent_not_in_error');
	});
});

describe('toggle and delete', () => {
	it('unpublishes and republishes the workflow', async () => {
		const { apiKey } = await hub.createTenant();
		const agent = (await install(apiKey.key)).body.agent;
		const off = await hub.request(`/api/agents/${agent.id}/toggle`, { key: apiKey.key, method: 'PUT' });
		expect(off.status).toBe(200);
		expectDocumented(off, 'put', '/api/agents/{id}/toggle');
		expect(off.body.agent.status).toBe('INACTIVE');
		expect(n8n.workflows.get(agent.n8nWorkflowId)!.active).toBe(false);
		const on = await hub.request(`/api/agents/${agent.id}/toggle`, { key: apiKey.key, method: 'PUT' });
		expect(on.body.agent.status).toBe('ACTIVE');
		expect(n8n.workflows.get(agent.n8nWorkflowId)!.active).toBe(true);
	});

	it('retries a 5xx to the workflow DELETE twice: a passing failure still deletes, a lasting one answers 502', async () => {
		const { apiKey } = await hub.createTenant();
		const agent = (await install(apiKey.key)).body.agent;
		// The unpublish goes through, then the DELETE fails once, as the pinned n8n did in 2 of 23 end-to-end runs.
		n8n.failCalls({ after: 1, count: 1, status: 500 });
		expect((await hub.request(`/api/agents/${agent.id}`, { key: apiKey.key, method: 'DELETE' })).status).toBe(204);
		expect(n8n.workflows.has(agent.n8nWorkflowId)).toBe(false);

		const other = (await install(apiKey.key)).body.agent;
		n8n.failCalls({ after: 1, count: 3, status: 500 });
		const failed = await hub.request(`/api/agents/${other.id}`, { key: apiKey.key, method: 'DELETE' });
		expect(failed.status).toBe(502);
		expect(failed.body.error.code).toBe('n8n_error');
		expect(n8n.workflows.has(other.n8nWorkflowId)).toBe(true);
		n8n.heal();
		expect((await hub.request(`/api/agents/${other.id}`, { key: apiKey.key, method: 'DELETE' })).status).toBe(204);
	});

	it('keeps the status when n8n is down or fails (503 / 502, never 500)', async () => {
		const { apiKey } = await hub.createTenant();
		const agent = (await install(apiKey.key)).body.agent;
		n8n.failCalls({ count: 1, status: 500 });
		const failed = await hub.request(`/api/agents/${agent.id}/toggle`, { key: apiKey.key, method: 'PUT' });
		expect(failed.status).toBe(502);
		expect((await hub.request(`/api/agents/${agent.id}`, { key: apiKey.key })).body.agent.status).toBe('ACTIVE');

		const down = await startTestHub({ database, deploy: { n8n: { url: 'http://127.0.0.1:9', apiKey: 'x' } } });
		try {
			const response = await down.request(`/api/agents/${agent.id}/toggle`, { key: apiKey.key, method: 'PUT' });
			expect(response.status).toBe(503);
			expect(response.body.error.code).toBe('n8n_unavailable');
		} finally {
			await down.close();
		}
		expect((await hub.request(`/api/agents/${agent.id}`, { key: apiKey.key })).body.agent.status).toBe('ACTIVE');
	});

	it('lets one of two concurrent operations on an agent run and answers the other 409 agent_busy', async () => {
		const { apiKey } = await hub.createTenant();
		const agent = (await install(apiKey.key)).body.agent;
		const held = n8n.hold((request) => request.path.endsWith('/unpublish'));
		const first = hub.request(`/api/agents/${agent.id}/toggle`, { key: apiKey.key, method: 'PUT' });
		try {
			await held.reached;
			const second = await hub.request(`/api/agents/${agent.id}/toggle`, { key: apiKey.key, method: 'PUT' });
			expect(second.status).toBe(409);
			expect(second.body.error.code).toBe('agent_busy');
			const remove = await hub.request(`/api/agents/${agent.id}`, { key: apiKey.key, method: 'DELETE' });
			expect(remove.body.error.code).toBe('agent_busy');
		} finally {
			held.release();
		}
		expect((await first).body.agent.status).toBe('INACTIVE');
	});

	it('deletes the workflow and credentials in n8n, revokes the agent key and keeps the agent as history', async () => {
		const { apiKey } = await hub.createTenant();
		const agent = (await install(apiKey.key)).body.agent;
		const row = await agentRow(agent.id);
		const credentialIds = Object.values(row.n8n_credential_ids as Record<string, string>);
		const hubKey = (n8n.credentials.get((row.n8n_credential_ids as Record<string, string>).hub!)!.data as { apiKey: string }).apiKey;

		const deleted = await hub.request(`/api/agents/${agent.id}`, { key: apiKey.key, method: 'DELETE' });
		expect(deleted.status).toBe(204);
		expectDocumented(deleted, 'delete', '/api/agents/{id}');
		expect(n8n.workflows.has(agent.n8nWorkflowId)).toBe(false);
		for (const id of credentialIds) expect(n8n.credentials.has(id)).toBe(false);
		expect((await hub.request('/api/agents', { key: hubKey })).status).toBe(401);

		const history = await hub.request(`/api/agents/${agent.id}`, { key: apiKey.key });
		expectDocumented(history, 'get', '/api/agents/{id}');
		expect(history.body.agent).toMatchObject({ status: 'DELETED', deletedAt: expect.any(String) });
		expect(history.body.agent.counts.versions).toBe(1);
		const listed = await hub.request('/api/agents', { key: apiKey.key });
		expect(listed.body.agents.map((a: { id: string }) => a.id)).not.toContain(agent.id);
		const deletedList = await hub.request('/api/agents?status=DELETED', { key: apiKey.key });
		expect(deletedList.body.agents.map((a: { id: string }) => a.id)).toEqual([agent.id]);
		// Idempotent.
		expect((await hub.request(`/api/agents/${agent.id}`, { key: apiKey.key, method: 'DELETE' })).status).toBe(204);
		expect((await hub.request(`/api/agents/${agent.id}/toggle`, { key: apiKey.key, method: 'PUT' })).status).toBe(409);
	});

	it('deletes an agent whose workflow n8n already lost', async () => {
		const { apiKey } = await hub.createTenant();
		const agent = (await install(apiKey.key)).body.agent;
		n8n.workflows.delete(agent.n8nWorkflowId);
		expect((await hub.request(`/api/agents/${agent.id}`, { key: apiKey.key, method: 'DELETE' })).status).toBe(204);
	});
});

describe('roles', () => {
	it('lets admins and owners manage agents, members and viewers only read them', async () => {
		const owner = await hub.registerUser();
		const [admin, member, viewer] = await Promise.all(
			(['admin', 'member', 'viewer'] as const).map((role) => hub.addUser(owner.account.id, role)),
		);
		const body = { templateSlug: 'inbound-dm-auto-responder', config: responderConfig() };
		for (const person of [member!, viewer!]) {
			const refused = await hub.request('/api/agents/from-template', { token: person.accessToken, body });
			expect(refused.status).toBe(403);
			expect(refused.body.error.code).toBe('insufficient_role');
		}
		const installed = await hub.request('/api/agents/from-template', { token: admin!.accessToken, body });
		expect(installed.status).toBe(201);
		const id = installed.body.agent.id;
		const toggle = await hub.request(`/api/agents/${id}/toggle`, { token: member!.accessToken, method: 'PUT' });
		expect(toggle.status).toBe(403);
		const read = await hub.request(`/api/agents/${id}`, { token: viewer!.accessToken });
		expect(read.status).toBe(200);
		const removed = await hub.request(`/api/agents/${id}`, { token: owner.accessToken, method: 'DELETE' });
		expect(removed.status).toBe(204);
	});
});

describe('plan limits', () => {
	it('refuses a premium template on Freemium and an agent beyond the plan, creating nothing in n8n', async () => {
		const { apiKey } = await hub.createTenant({ plan: 'freemium' });
		const before = n8n.requests.length;
		const premium = await install(apiKey.key, {
			templateSlug: 'lead-qualifier',
			config: { businessName: 'Atelier', metaAppSecret: 's', metaVerifyToken: 'v', openAiApiKey: 'k' },
		});
		expect(premium.status).toBe(403);
		expect(premium.body.error.code).toBe('template_requires_paid_plan');
		expect(n8n.requests.length).toBe(before);

		// The tenant's seeded pipeline agent plus one installed reach Freemium's limit.
		expect((await install(apiKey.key)).status).toBe(201);
		const beyond = await install(apiKey.key);
		expect(beyond.status).toBe(403);
		expect(beyond.body.error.code).toBe('agent_limit_reached');
	});
});

describe('GET /api/agents', () => {
	it('filters by status and type', async () => {
		const { apiKey } = await hub.createTenant({ plan: 'premium' });
		const responder = (await install(apiKey.key)).body.agent;
		const installed = await install(apiKey.key, {
			templateSlug: 'lead-qualifier',
			name: 'Qualifier',
			config: { businessName: 'Atelier', metaAppSecret: 's', metaVerifyToken: 'v', openAiApiKey: 'k' },
		});
		expect(installed.body.error).toBeUndefined();
		const qualifier = installed.body.agent;
		expect(qualifier.type).toBe('SALES');
		await hub.request(`/api/agents/${qualifier.id}/toggle`, { key: apiKey.key, method: 'PUT' });
		const ids = async (query: string) =>
			(await hub.request(`/api/agents${query}`, { key: apiKey.key })).body.agents.map((a: { id: string }) => a.id);
		expect(await ids('?type=SALES')).toEqual([qualifier.id]);
		// The tenant's seeded pipeline agent is ACTIVE too (type null).
		const active = await ids('?status=ACTIVE');
		expect(active).toContain(responder.id);
		expect(active).not.toContain(qualifier.id);
		expect(await ids('?status=INACTIVE&type=SALES')).toEqual([qualifier.id]);
		expect((await hub.request('/api/agents?status=paused', { key: apiKey.key })).status).toBe(422);
	});
});

describe('tenant isolation', () => {
	it.each([
		['GET', ''],
		['PUT', '/toggle'],
		['POST', '/retry'],
		['POST', '/upgrade'],
		['POST', '/rollback'],
		['DELETE', ''],
	])("answers 404 for another account's agent: %s /api/agents/:id%s", async (method, suffix) => {
		const [owner, intruder] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const agent = (await install(owner.apiKey.key)).body.agent;
		const response = await hub.request(`/api/agents/${agent.id}${suffix}`, {
			key: intruder.apiKey.key,
			method,
			...(method === 'POST' ? { body: { config: SECRETS } } : {}),
		});
		expect(response.status).toBe(404);
		expect(response.body.error.code).toBe('agent_not_found');
		expect((await agentRow(agent.id)).status).toBe('ACTIVE');
		expect(n8n.workflows.get(agent.n8nWorkflowId)!.active).toBe(true);
	});

	it('answers 404 for an id that does not exist and 422 for one that is not a uuid', async () => {
		const { apiKey } = await hub.createTenant();
		expect((await hub.request(`/api/agents/${randomUUID()}`, { key: apiKey.key })).status).toBe(404);
		expect((await hub.request('/api/agents/not-a-uuid', { key: apiKey.key })).status).toBe(422);
	});
});

describe('upgrade and rollback', () => {
	let templatesDir: string;
	let upgraded: TestHub;

	beforeAll(async () => {
		// The catalogue of a later release: the same template at 1.1.0 with a changed reply model default and note.
		templatesDir = mkdtempSync(join(tmpdir(), 'skybot-templates-'));
		cpSync(defaultTemplatesDir(), templatesDir, { recursive: true });
		const folder = join(templatesDir, 'inbound-dm-auto-responder');
		const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
		manifest.version = '1.1.0';
		manifest.configSchema.properties.greeting = { type: 'string', default: 'Hello from 1.1.0', maxLength: 200 };
		writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
		const workflowFile = join(folder, 'inbound-dm-auto-responder.workflow.json');
		const workflow = JSON.parse(readFileSync(workflowFile, 'utf8'));
		workflow.nodes.find((node: { name: string }) => node.name === 'Write reply').parameters.context =
			'{{skybot:config.businessContext}} {{skybot:config.greeting}}';
		writeFileSync(workflowFile, JSON.stringify(workflow));
		upgraded = await startTestHub({ database, deploy: { n8n: { url: n8n.url, apiKey: n8n.apiKey }, templatesDir } });
	});
	afterAll(async () => {
		await upgraded?.close();
		rmSync(templatesDir, { recursive: true, force: true });
	});

	const replyContext = (workflowId: string) =>
		n8n.workflows.get(workflowId)!.nodes.find((node) => node.name === 'Write reply')!.parameters!.context;

	it('replaces the workflow in place, keeps id, credentials and history, and rolls back', async () => {
		const { apiKey } = await hub.createTenant();
		const agent = (await install(apiKey.key)).body.agent;
		const credentialsBefore = (await agentRow(agent.id)).n8n_credential_ids;
		expect(replyContext(agent.n8nWorkflowId)).toBe('Open 9-18, Tuesday to Saturday.');
		expect((await hub.request(`/api/agents/${agent.id}/upgrade`, { key: apiKey.key, method: 'POST' })).status).toBe(409);

		const up = await upgraded.request(`/api/agents/${agent.id}/upgrade`, { key: apiKey.key, method: 'POST' });
		expect(up.status).toBe(200);
		expectDocumented(up, 'post', '/api/agents/{id}/upgrade');
		expect(up.body.agent).toMatchObject({
			id: agent.id,
			status: 'ACTIVE',
			templateVersion: '1.1.0',
			n8nWorkflowId: agent.n8nWorkflowId,
			counts: { versions: 2 },
			versions: [
				{ version: 1, templateVersion: '1.0.0', current: false },
				{ version: 2, templateVersion: '1.1.0', current: true },
			],
		});
		expect(up.body.agent.config.greeting).toBe('Hello from 1.1.0');
		expect(replyContext(agent.n8nWorkflowId)).toBe('Open 9-18, Tuesday to Saturday. Hello from 1.1.0');
		expect(n8n.workflows.get(agent.n8nWorkflowId)!.active).toBe(true);
		expect((await agentRow(agent.id)).n8n_credential_ids).toEqual(credentialsBefore);
		const again = await upgraded.request(`/api/agents/${agent.id}/upgrade`, { key: apiKey.key, method: 'POST' });
		expect(again.status).toBe(409);
		expect(again.body.error.code).toBe('agent_up_to_date');

		const back = await upgraded.request(`/api/agents/${agent.id}/rollback`, { key: apiKey.key, method: 'POST' });
		expect(back.status).toBe(200);
		expectDocumented(back, 'post', '/api/agents/{id}/rollback');
		expect(back.body.agent).toMatchObject({ id: agent.id, templateVersion: '1.0.0', counts: { versions: 2 } });
		expect(back.body.agent.versions.find((v: { current: boolean }) => v.current).version).toBe(1);
		expect(replyContext(agent.n8nWorkflowId)).toBe('Open 9-18, Tuesday to Saturday.');
		const none = await upgraded.request(`/api/agents/${agent.id}/rollback`, { key: apiKey.key, method: 'POST' });
		expect(none.status).toBe(409);
		expect(none.body.error.code).toBe('no_previous_version');

		// Forward again: a new version entry, the history grows.
		const forward = await upgraded.request(`/api/agents/${agent.id}/upgrade`, { key: apiKey.key, method: 'POST' });
		expect(forward.body.agent.counts.versions).toBe(3);
	});

	it('keeps the running version when n8n fails during the upgrade', async () => {
		const { apiKey } = await hub.createTenant();
		const agent = (await install(apiKey.key)).body.agent;
		// The update lands, the publish fails: the previous workflow is put back.
		n8n.failCalls({ after: 1, count: 1 });
		const failed = await upgraded.request(`/api/agents/${agent.id}/upgrade`, { key: apiKey.key, method: 'POST' });
		expect(failed.status).toBe(502);
		expect(replyContext(agent.n8nWorkflowId)).toBe('Open 9-18, Tuesday to Saturday.');
		const detail = await upgraded.request(`/api/agents/${agent.id}`, { key: apiKey.key });
		expect(detail.body.agent).toMatchObject({ status: 'ACTIVE', templateVersion: '1.0.0', counts: { versions: 1 } });
	});
});

describe('a hub without n8n', () => {
	it('answers 503 n8n_unavailable on deployments and keeps serving the rest', async () => {
		const plain = await startTestHub({ database });
		try {
			const { apiKey } = await plain.createTenant();
			const response = await plain.request('/api/agents/from-template', {
				key: apiKey.key,
				body: { templateSlug: 'inbound-dm-auto-responder', config: responderConfig() },
			});
			expect(response.status).toBe(503);
			expect(response.body.error.code).toBe('n8n_unavailable');
			expect((await plain.request('/api/templates', { key: apiKey.key })).status).toBe(200);
			expect((await plain.request('/api/agents', { key: apiKey.key })).status).toBe(200);
		} finally {
			await plain.close();
		}
	});
});
