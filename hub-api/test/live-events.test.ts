import { io, type Socket } from 'socket.io-client';
import { type FakeN8n, startFakeN8n } from '../../test/fakes/n8n-public-api';
import type { AgentExecutionEvent, AgentStatusEvent } from '../src/hub-events';
import { signatureHeader } from '../src/modules/executions/signature';
import { startTestHub, TEST_WEBHOOK_SECRET, type TestHub } from './support';

let hub: TestHub;
const sockets: Socket[] = [];

beforeAll(async () => {
	hub = await startTestHub();
});
afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await hub?.close();
});

/** A connected socket with every agent:execution event it receives, or the connect_error it got. */
function connect(auth: Record<string, string> | undefined, headers?: Record<string, string>) {
	const socket = io(hub.url, { auth, extraHeaders: headers, transports: ['websocket'], reconnection: false });
	sockets.push(socket);
	const received: AgentExecutionEvent[] = [];
	socket.on('agent:execution', (event: AgentExecutionEvent) => received.push(event));
	const outcome = new Promise<{ connected: true } | { connected: false; message: string; code?: string }>((resolve) => {
		socket.on('connect', () => resolve({ connected: true }));
		socket.on('connect_error', (error: Error & { data?: { code?: string } }) =>
			resolve({ connected: false, message: error.message, code: error.data?.code }),
		);
	});
	return { socket, received, outcome };
}

/** Waits until `received` holds `count` events (socket.io delivers in order on one connection). */
async function receivedCount(received: unknown[], count: number): Promise<void> {
	while (received.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function tenantWithUser() {
	const tenant = await hub.createTenant();
	const user = await hub.addUser(tenant.account.id, 'viewer');
	return { ...tenant, token: user.accessToken };
}

/** Sends a signed execution report for the tenant's agent, as the pipeline does. */
function sendReport(tenant: { account: { id: string }; agent: { id: string } }, executionId: string) {
	const raw = JSON.stringify({
		accountId: tenant.account.id,
		agentId: tenant.agent.id,
		executionId,
		status: 'success',
		startedAt: new Date().toISOString(),
		latencyMs: 812,
		promptTokens: 10,
		completionTokens: 5,
		costUsd: 0.0001,
		conversationId: 'conv-1',
		contactId: 'contact-1',
	});
	return hub.request('/api/webhooks/n8n/execution', {
		method: 'POST',
		rawBody: raw,
		headers: { 'x-skybot-signature': signatureHeader(TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000), raw) },
	});
}

/** A report the hub records (201): its id. */
async function report(tenant: { account: { id: string }; agent: { id: string } }, executionId: string) {
	const response = await sendReport(tenant, executionId);
	expect(response.status).toBe(201);
	return response.body.id as string;
}

describe('live events (socket.io)', () => {
	it("delivers agent:execution to the report's account only", async () => {
		const [a, b] = await Promise.all([tenantWithUser(), tenantWithUser()]);
		const clientA = connect({ token: a.token });
		// A server-side client may send the token as an Authorization header instead.
		const clientB = connect(undefined, { authorization: `Bearer ${b.token}` });
		expect(await clientA.outcome).toEqual({ connected: true });
		expect(await clientB.outcome).toEqual({ connected: true });

		const idA = await report(a, 'exec-a-1');
		await receivedCount(clientA.received, 1);
		expect(clientA.received[0]).toEqual({
			id: idA,
			accountId: a.account.id,
			agentId: a.agent.id,
			executionId: 'exec-a-1',
			status: 'success',
			startedAt: expect.any(String),
			latencyMs: 812,
			promptTokens: 10,
			completionTokens: 5,
			costUsd: 0.0001,
			conversationId: 'conv-1',
			contactId: 'contact-1',
			reason: null,
		});

		// B's own event comes after A's on the wire: had A's reached B, it would be first in B's list.
		const idB = await report(b, 'exec-b-1');
		await receivedCount(clientB.received, 1);
		expect(clientB.received.map((event) => event.id)).toEqual([idB]);
		expect(clientA.received.map((event) => event.id)).toEqual([idA]);
	});

	it('publishes nothing for a duplicate report', async () => {
		const a = await tenantWithUser();
		const client = connect({ token: a.token });
		await client.outcome;
		const first = await report(a, 'exec-dup');
		await receivedCount(client.received, 1);
		const repeat = await sendReport(a, 'exec-dup');
		expect(repeat.body).toEqual({ id: first, duplicate: true });
		const next = await report(a, 'exec-after-dup');
		await receivedCount(client.received, 2);
		expect(client.received.map((event) => event.id)).toEqual([first, next]);
	});

	it.each([
		['no token', undefined],
		['a malformed token', { token: 'not-a-jwt' }],
		['an API key instead of an access token', { token: 'sk_live_nope' }],
	])('refuses a connection with %s', async (_case, auth) => {
		const client = connect(auth);
		const outcome = await client.outcome;
		expect(outcome).toMatchObject({ connected: false, code: expect.stringMatching(/^invalid_token$/) });
		expect(client.socket.connected).toBe(false);
	});

	it('refuses a token signed with another secret', async () => {
		const a = await tenantWithUser();
		const [header, payload] = a.token.split('.');
		const client = connect({ token: `${header}.${payload}.${'A'.repeat(43)}` });
		expect(await client.outcome).toMatchObject({ connected: false, code: 'invalid_token' });
	});
});

describe('agent:status', () => {
	let deployHub: TestHub;
	let n8n: FakeN8n;

	beforeAll(async () => {
		n8n = await startFakeN8n();
		deployHub = await startTestHub({ deploy: { n8n: { url: n8n.url, apiKey: n8n.apiKey } } });
	});
	afterAll(async () => {
		await deployHub?.close();
		await n8n?.close();
	});

	async function owner() {
		const person = await deployHub.registerUser();
		const socket = io(deployHub.url, { auth: { token: person.accessToken }, transports: ['websocket'], reconnection: false });
		sockets.push(socket);
		const statuses: AgentStatusEvent[] = [];
		socket.on('agent:status', (event: AgentStatusEvent) => statuses.push(event));
		await new Promise<void>((resolve, reject) => {
			socket.on('connect', () => resolve());
			socket.on('connect_error', reject);
		});
		return { person, statuses };
	}

	const install = (token: string) =>
		deployHub.request('/api/agents/from-template', {
			token,
			body: {
				templateSlug: 'inbound-dm-auto-responder',
				name: 'Front desk',
				config: {
					businessName: 'Atelier',
					businessContext: 'Open 9-18.',
					metaAppSecret: 'meta-app-secret',
					metaVerifyToken: 'meta-verify-token',
					metaAccessToken: 'meta-access-token',
					openAiApiKey: 'sk-test-openai',
				},
			},
		});

	it("follows an agent's deploy and toggle in its own account only", async () => {
		const [a, b] = [await owner(), await owner()];
		const installed = await install(a.person.accessToken);
		expect(installed.status).toBe(201);
		const agentId = installed.body.agent.id as string;
		const toggled = await deployHub.request(`/api/agents/${agentId}/toggle`, { token: a.person.accessToken, method: 'PUT' });
		expect(toggled.status).toBe(200);

		await receivedCount(a.statuses, 1);
		while (a.statuses.at(-1)?.status !== 'INACTIVE') await new Promise((resolve) => setTimeout(resolve, 10));
		expect(a.statuses.every((event) => event.agentId === agentId && event.accountId === a.person.account.id)).toBe(true);
		expect(a.statuses.map((event) => event.status)).toEqual(expect.arrayContaining(['ACTIVE', 'INACTIVE']));

		// B's own deployment is the first thing B hears: nothing of A's reached it before.
		const mine = await install(b.person.accessToken);
		await receivedCount(b.statuses, 1);
		expect(b.statuses[0]).toMatchObject({ agentId: mine.body.agent.id, accountId: b.person.account.id });
	});
});
