/**
 * End to end: agents installed from templates by the real hub into the real pinned n8n through its public API.
 * The workflow exists and is published after an install (its webhook answers Meta's handshake and a signed DM is
 * answered through the tenant's own credentials), unpublished after a toggle, replaced in place by an upgrade and
 * a rollback, and gone (with its credentials) after a delete.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHub, type TestHub } from '../../hub-api/test/support';
import { defaultTemplatesDir } from '../../hub-api/src/modules/templates/template-catalogue';
import { graphId, instagramMessage, signedDelivery } from '../fakes/meta-webhook';
import { eventually, startStack, type Stack } from './support/stack';

jest.setTimeout(10 * 60_000);

const APP_SECRET = 'tenant-own-meta-app-secret';
const VERIFY_TOKEN = 'tenant-own-verify-token';

let stack: Stack;
/** A hub on the stack's database, driving the stack's n8n (N8N_URL + the bootstrap's API key). */
let hub: TestHub;
let templatesDir: string;
/** The same hub after a release that brings the auto-responder template 1.1.0. */
let nextRelease: TestHub;

beforeAll(async () => {
	stack = await startStack();
	const database = { name: 'stack', url: stack.hub.databaseUrl, drop: async () => {} };
	const n8n = { url: stack.n8n.url, apiKey: stack.n8nApiKey };
	hub = await startTestHub({ database, deploy: { n8n } });

	templatesDir = mkdtempSync(join(tmpdir(), 'skybot-e2e-templates-'));
	cpSync(defaultTemplatesDir(), templatesDir, { recursive: true });
	const folder = join(templatesDir, 'inbound-dm-auto-responder');
	const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
	manifest.version = '1.1.0';
	writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
	const workflowFile = join(folder, 'inbound-dm-auto-responder.workflow.json');
	const workflow = JSON.parse(readFileSync(workflowFile, 'utf8'));
	workflow.nodes.find((node: { name: string }) => node.name === 'Decide').parameters.floodWindowMinutes = 11;
	writeFileSync(workflowFile, JSON.stringify(workflow));
	nextRelease = await startTestHub({ database, deploy: { n8n, templatesDir } });
});

afterAll(async () => {
	await nextRelease?.close();
	await hub?.close();
	if (templatesDir) rmSync(templatesDir, { recursive: true, force: true });
	await stack?.stop();
});

interface N8nWorkflow {
	id: string;
	name: string;
	active: boolean;
	nodes: { name: string; type: string; parameters: Record<string, unknown> }[];
	tags?: { name: string }[];
}

async function n8nApi<T>(path: string): Promise<{ status: number; body: T }> {
	const response = await fetch(`${stack.n8n.url}/api/v1${path}`, { headers: { 'X-N8N-API-KEY': stack.n8nApiKey } });
	return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
}

const workflowIn = async (id: string) => n8nApi<N8nWorkflow>(`/workflows/${id}`);

const handshake = (agentId: string) =>
	fetch(
		`${stack.n8n.url}/webhook/skybot/${agentId}/meta?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=4242`,
	);

async function installResponder(key: string) {
	const response = await hub.request('/api/agents/from-template', {
		key,
		body: {
			templateSlug: 'inbound-dm-auto-responder',
			name: 'Front desk',
			config: {
				businessName: 'Atelier Lumière',
				metaAppSecret: APP_SECRET,
				metaVerifyToken: VERIFY_TOKEN,
				metaAccessToken: stack.graph.accessToken,
				graphBaseUrl: stack.graph.url,
				openAiApiKey: stack.openAi.apiKey,
				openAiBaseUrl: stack.openAi.baseUrl,
			},
		},
	});
	expect(response.body.error).toBeUndefined();
	expect(response.status).toBe(201);
	return response.body.agent as { id: string; n8nWorkflowId: string; accountId: string };
}

describe('an agent installed from a template into n8n', () => {
	it('is published, answers on its own webhook with its own credentials, toggles, upgrades, rolls back and is deleted', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const agent = await installResponder(tenant.apiKey.key);

		// Installed: the workflow exists in n8n, published, named and tagged with the agent and its account.
		const installed = await workflowIn(agent.n8nWorkflowId);
		expect(installed.status).toBe(200);
		expect(installed.body.active).toBe(true);
		expect(installed.body.name).toContain(agent.id);
		expect(installed.body.name).toContain(tenant.account.id);
		expect((installed.body.tags ?? []).map((tag) => tag.name).sort()).toEqual([
			`acct-${tenant.account.id.replace(/-/g, '')}`.slice(0, 24),
			`agent-${agent.id.replace(/-/g, '')}`.slice(0, 24),
		]);
		const response = await eventually('the agent webhook to be registered', async () => {
			const answer = await handshake(agent.id);
			return answer.status === 200 ? answer : undefined;
		});
		expect(await response.text()).toBe('4242');

		// A DM signed with the tenant's own app secret is answered and logged under the agent.
		const senderId = graphId();
		const text = `Vous êtes ouverts samedi ? ${agent.id}`;
		const payload = instagramMessage({ accountId: graphId(), senderId, text });
		const { body, headers } = signedDelivery(payload, APP_SECRET);
		expect((await fetch(`${stack.n8n.url}/webhook/skybot/${agent.id}/meta`, { method: 'POST', body, headers })).status).toBe(200);
		const row = await eventually('the agent interaction', async () => {
			const rows = (await hub.dataSource.query('SELECT * FROM interactions WHERE agent_id = $1', [agent.id])) as {
				status: string;
				account_id: string;
				reply_text: string | null;
			}[];
			return rows[0];
		});
		expect(row).toMatchObject({ status: 'replied', account_id: tenant.account.id });
		expect(stack.graph.sent.filter((sent) => sent.recipient === senderId)).toEqual([
			expect.objectContaining({ text: row.reply_text }),
		]);
		// A delivery signed with the operator's secret is refused: the agent trusts only its tenant's Meta app.
		const forged = signedDelivery(instagramMessage({ senderId: graphId() }), 'someone-else');
		expect((await fetch(`${stack.n8n.url}/webhook/skybot/${agent.id}/meta`, { method: 'POST', ...forged })).status).toBe(401);

		// Toggled off: unpublished in n8n, the webhook stops answering.
		const off = await hub.request(`/api/agents/${agent.id}/toggle`, { key: tenant.apiKey.key, method: 'PUT' });
		expect(off.body.agent.status).toBe('INACTIVE');
		expect((await workflowIn(agent.n8nWorkflowId)).body.active).toBe(false);
		await eventually('the webhook to be removed', async () => ((await handshake(agent.id)).status === 404 ? true : undefined));

		// Toggled on again.
		const on = await hub.request(`/api/agents/${agent.id}/toggle`, { key: tenant.apiKey.key, method: 'PUT' });
		expect(on.body.agent.status).toBe('ACTIVE');
		expect((await workflowIn(agent.n8nWorkflowId)).body.active).toBe(true);

		// Upgraded to 1.1.0: the same workflow, replaced and still published.
		const floodWindow = async () =>
			(await workflowIn(agent.n8nWorkflowId)).body.nodes.find((node) => node.name === 'Decide')!.parameters
				.floodWindowMinutes;
		expect(await floodWindow()).toBe(5);
		const up = await nextRelease.request(`/api/agents/${agent.id}/upgrade`, { key: tenant.apiKey.key, method: 'POST' });
		expect(up.status).toBe(200);
		expect(up.body.agent).toMatchObject({ templateVersion: '1.1.0', n8nWorkflowId: agent.n8nWorkflowId });
		expect(await floodWindow()).toBe(11);
		expect((await workflowIn(agent.n8nWorkflowId)).body.active).toBe(true);

		// Rolled back to 1.0.0.
		const back = await nextRelease.request(`/api/agents/${agent.id}/rollback`, { key: tenant.apiKey.key, method: 'POST' });
		expect(back.status).toBe(200);
		expect(back.body.agent.templateVersion).toBe('1.0.0');
		expect(await floodWindow()).toBe(5);
		await eventually('the webhook after the rollback', async () =>
			(await handshake(agent.id)).status === 200 ? true : undefined,
		);

		// Deleted: the workflow and the agent's credentials are gone from n8n, the agent stays as history.
		const credentialIds = Object.values(
			((await hub.dataSource.query('SELECT n8n_credential_ids FROM agents WHERE id = $1', [agent.id])) as {
				n8n_credential_ids: Record<string, string>;
			}[])[0]!.n8n_credential_ids,
		);
		expect(credentialIds).toHaveLength(3);
		const deleted = await hub.request(`/api/agents/${agent.id}`, { key: tenant.apiKey.key, method: 'DELETE' });
		expect([deleted.status, deleted.body]).toEqual([204, undefined]);
		expect((await workflowIn(agent.n8nWorkflowId)).status).toBe(404);
		const credentials = await n8nApi<{ data: { id: string }[] }>('/credentials?limit=250');
		if (credentials.status === 200) {
			const remaining = new Set(credentials.body.data.map((credential) => credential.id));
			for (const id of credentialIds) expect(remaining.has(id)).toBe(false);
		}
		const history = await hub.request(`/api/agents/${agent.id}`, { key: tenant.apiKey.key });
		expect(history.body.agent).toMatchObject({ status: 'DELETED', counts: { interactions: 1 } });
	});

	// Nothing is sent in these installs: the Graph URL only has to be valid (rows are built before the stack exists).
	it.each([
		['instagram-comment-to-dm', { metaAccessToken: 'page-token', graphBaseUrl: 'http://127.0.0.1:9' }],
		// Sends nothing: no access token nor Graph URL in its configuration.
		['lead-qualifier', {}],
		['follow-up-sequence', { metaAccessToken: 'page-token', graphBaseUrl: 'http://127.0.0.1:9', everyHours: 6 }],
	])('publishes the %s template in n8n and removes it on delete', async (templateSlug, extra) => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const installed = await hub.request('/api/agents/from-template', {
			key: tenant.apiKey.key,
			body: {
				templateSlug,
				config: {
					businessName: 'Atelier Lumière',
					metaAppSecret: APP_SECRET,
					metaVerifyToken: VERIFY_TOKEN,
					openAiApiKey: stack.openAi.apiKey,
					openAiBaseUrl: stack.openAi.baseUrl,
					...extra,
				},
			},
		});
		expect(installed.body.error).toBeUndefined();
		const agent = installed.body.agent as { id: string; n8nWorkflowId: string };
		const workflow = await workflowIn(agent.n8nWorkflowId);
		expect(workflow.body.active).toBe(true);
		if (templateSlug !== 'follow-up-sequence') {
			await eventually(`the ${templateSlug} webhook`, async () =>
				(await handshake(agent.id)).status === 200 ? true : undefined,
			);
		}
		const deleted = await hub.request(`/api/agents/${agent.id}`, { key: tenant.apiKey.key, method: 'DELETE' });
		// With the status, a failure shows n8n's answer (seen: a 500 to the workflow DELETE, now retried by the client).
		expect({ status: deleted.status, error: deleted.body?.error }).toEqual({ status: 204, error: undefined });
		expect((await workflowIn(agent.n8nWorkflowId)).status).toBe(404);
	});

	it('answers 502 with n8n’s reason and rolls back when n8n refuses the install', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		// An upgrade hub pointed at n8n with a wrong API key: n8n answers 401 on the first call.
		const wrongKey = await startTestHub({
			database: { name: 'stack', url: stack.hub.databaseUrl, drop: async () => {} },
			deploy: { n8n: { url: stack.n8n.url, apiKey: 'not-a-key' } },
		});
		try {
			const response = await wrongKey.request('/api/agents/from-template', {
				key: tenant.apiKey.key,
				body: {
					templateSlug: 'lead-qualifier',
					config: { businessName: 'Atelier', metaAppSecret: 's', metaVerifyToken: 'v', openAiApiKey: 'k' },
				},
			});
			expect(response.status).toBe(502);
			expect(response.body.error.code).toBe('n8n_auth_failed');
			const agent = await hub.request(`/api/agents/${response.body.error.details.agentId}`, { key: tenant.apiKey.key });
			expect(agent.body.agent.status).toBe('ERROR');
		} finally {
			await wrongKey.close();
		}
	});
});
