/**
 * customer.deleted stops the account's agents for real: the workflows of agents deployed from templates are
 * unpublished in n8n (the fake public API, test/fakes/n8n-public-api.ts) by a bull job queued once the deactivation
 * committed, retried while n8n fails, and queued again at start-up if it was lost.
 */
import { randomBytes } from 'node:crypto';
import Queue from 'bull';
import { type FakeN8n, startFakeN8n } from '../../test/fakes/n8n-public-api';
import {
	fakeStripeBillingConfig,
	type FakeStripe,
	signStripePayload,
	startFakeStripe,
	stripeEvent,
} from '../../test/fakes/stripe';
import { BILLING_QUEUE_NAME, type BillingJob, billingQueuePrefix } from '../src/modules/billing/billing-jobs';
import {
	createManualClock,
	createTestDatabase,
	startTestHub,
	TEST_REDIS_URL,
	type TestDatabase,
	type TestHub,
} from './support';

const clock = createManualClock('2026-03-10T15:00:00.000Z');
const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
const namespace = `skybot-test-billing-agents-${randomBytes(6).toString('hex')}`;

let database: TestDatabase;
let stripe: FakeStripe;
let n8n: FakeN8n;
let hub: TestHub;
let queue: Queue.Queue<BillingJob>;

const hubOptions = () => ({
	database,
	clock: clock.now,
	loginThrottlePrefix: namespace,
	billing: fakeStripeBillingConfig(stripe.url),
	deploy: { n8n: { url: n8n.url, apiKey: n8n.apiKey } },
});

beforeAll(async () => {
	database = await createTestDatabase();
	[stripe, n8n] = await Promise.all([startFakeStripe(), startFakeN8n()]);
	hub = await startTestHub(hubOptions());
	// The hub's own billing queue: to wait until it is idle, and to queue a job by hand.
	queue = new Queue<BillingJob>(BILLING_QUEUE_NAME, TEST_REDIS_URL, { prefix: billingQueuePrefix(namespace) });
});
afterEach(async () => {
	n8n.heal();
	await queueIdle();
});
afterAll(async () => {
	await queue?.close();
	await hub?.close();
	await Promise.all([stripe?.close(), n8n?.close()]);
	await database?.drop();
});

const until = async (condition: () => Promise<boolean> | boolean) => {
	// No time limit of its own: Jest's timeout applies.
	while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
};

/** Nothing waiting, running or waiting for a retry in the billing queue. */
const queueIdle = () =>
	until(async () => {
		const counts = await queue.getJobCounts();
		return counts.waiting + counts.active + counts.delayed === 0;
	});

const statuses = async (accountId: string) =>
	Object.fromEntries(
		((await hub.dataSource.query('SELECT id, status FROM agents WHERE account_id = $1', [accountId])) as {
			id: string;
			status: string;
		}[]).map((row) => [row.id, row.status]),
	);

const unpublishCalls = (workflowId: string) =>
	n8n.requests.filter((request) => request.method === 'POST' && request.path === `/api/v1/workflows/${workflowId}/unpublish`);

/**
 * A Premium customer with its seeded shared-pipeline agent (no workflow of its own) and two agents deployed from a
 * template, all ACTIVE, their workflows published in n8n.
 */
async function customerWithAgents() {
	const tenant = await hub.createTenant({ plan: 'premium' });
	const checkout = await hub.request('/api/billing/checkout', {
		key: tenant.apiKey.key,
		body: { plan: 'ultra', interval: 'month', successUrl: 'https://app.example.test/ok', cancelUrl: 'https://app.example.test/' },
	});
	expect(checkout.status).toBe(201);
	const [row] = await hub.dataSource.query('SELECT stripe_customer_id FROM billing_customers WHERE account_id = $1', [
		tenant.account.id,
	]);
	const deployed: { id: string; n8nWorkflowId: string }[] = [];
	for (const name of ['Front desk', 'Night shift']) {
		const response = await hub.request('/api/agents/from-template', {
			key: tenant.apiKey.key,
			body: {
				templateSlug: 'inbound-dm-auto-responder',
				name,
				config: {
					businessName: 'Atelier Lumière',
					metaAppSecret: 'meta-app-secret',
					metaVerifyToken: 'meta-verify-token',
					metaAccessToken: 'meta-access-token',
					openAiApiKey: 'sk-test-openai',
				},
			},
		});
		expect(response.status).toBe(201);
		deployed.push(response.body.agent);
	}
	for (const agent of deployed) expect(n8n.workflows.get(agent.n8nWorkflowId)!.active).toBe(true);
	return { ...tenant, customerId: row.stripe_customer_id as string, pipelineAgent: tenant.agent, deployed };
}

function customerDeleted(customerId: string) {
	return stripeEvent('customer.deleted', { id: customerId, object: 'customer', deleted: true }, nowSeconds());
}

async function deliver(event: { id: string }) {
	const payload = JSON.stringify(event);
	const response = await hub.request('/api/billing/webhook', {
		rawBody: payload,
		headers: { 'stripe-signature': signStripePayload(payload, { timestamp: nowSeconds() }) },
	});
	expect(response.status).toBe(200);
	return response.body as { received: true; duplicate: boolean };
}

async function processed(eventId: string): Promise<string> {
	let outcome = '';
	await until(async () => {
		const [row] = await hub.dataSource.query('SELECT processed_at, outcome FROM billing_events WHERE id = $1', [eventId]);
		outcome = row?.outcome;
		return Boolean(row?.processed_at);
	});
	return outcome;
}

const allStopped = (accountId: string) =>
	until(async () => Object.values(await statuses(accountId)).every((status) => status === 'INACTIVE'));

it('unpublishes the workflows of a deleted customer’s agents and leaves every agent INACTIVE', async () => {
	const who = await customerWithAgents();
	const event = customerDeleted(who.customerId);
	await deliver(event);
	expect(await processed(event.id)).toBe('account_deactivated');
	await allStopped(who.account.id);

	expect(Object.keys(await statuses(who.account.id))).toHaveLength(3);
	for (const agent of who.deployed) {
		expect(n8n.workflows.get(agent.n8nWorkflowId)!.active).toBe(false);
		expect(unpublishCalls(agent.n8nWorkflowId)).toHaveLength(1);
	}
	// Deactivated, not deleted: the workflows and the agents' history stay.
	const listed = await hub.request('/api/agents', { key: who.apiKey.key });
	expect(listed.body.agents.map((agent: { status: string }) => agent.status)).toEqual(['INACTIVE', 'INACTIVE', 'INACTIVE']);
});

it('keeps them stopped: switching an agent back on or re-deploying it is refused', async () => {
	const who = await customerWithAgents();
	const event = customerDeleted(who.customerId);
	await deliver(event);
	await allStopped(who.account.id);
	const before = n8n.requests.length;

	for (const agent of [...who.deployed, who.pipelineAgent]) {
		const toggled = await hub.request(`/api/agents/${agent.id}/toggle`, { key: who.apiKey.key, method: 'PUT' });
		expect(toggled.status).toBe(403);
		expect(toggled.body.error.code).toBe('account_deactivated');
	}
	const [deployed] = who.deployed;
	await hub.dataSource.query(`UPDATE agents SET status = 'ERROR' WHERE id = $1`, [deployed!.id]);
	const retried = await hub.request(`/api/agents/${deployed!.id}/retry`, {
		key: who.apiKey.key,
		body: { config: { metaAppSecret: 's', metaVerifyToken: 'v', metaAccessToken: 'a', openAiApiKey: 'k' } },
	});
	expect(retried.status).toBe(403);
	expect(retried.body.error.code).toBe('account_deactivated');
	expect(n8n.requests.length).toBe(before);
	for (const agent of who.deployed) expect(n8n.workflows.get(agent.n8nWorkflowId)!.active).toBe(false);
});

it('retries while n8n fails, stopping what it can meanwhile, and succeeds once n8n is back', async () => {
	const who = await customerWithAgents();
	const [first, second] = [who.deployed[0]!, who.deployed[1]!];
	n8n.failCalls({ count: Infinity, status: 500 });
	const event = customerDeleted(who.customerId);
	await deliver(event);
	expect(await processed(event.id)).toBe('account_deactivated');

	// One attempt tried both workflows (a failure does not stop the loop) and stopped the shared-pipeline agent.
	const refused = (workflowId: string) => unpublishCalls(workflowId).some((call) => call.status === 500);
	await until(() => refused(first.n8nWorkflowId) && refused(second.n8nWorkflowId));
	await until(async () => (await statuses(who.account.id))[who.pipelineAgent.id] === 'INACTIVE');
	expect(n8n.workflows.get(first.n8nWorkflowId)!.active).toBe(true);
	expect(n8n.workflows.get(second.n8nWorkflowId)!.active).toBe(true);
	// The failed agents are put back as they were, ACTIVE, for the retry to find.
	await until(async () => {
		const now = await statuses(who.account.id);
		return who.deployed.every((agent) => now[agent.id] === 'ACTIVE');
	});

	n8n.heal();
	await allStopped(who.account.id);
	for (const agent of who.deployed) {
		expect(n8n.workflows.get(agent.n8nWorkflowId)!.active).toBe(false);
		expect(unpublishCalls(agent.n8nWorkflowId).at(-1)!.status).toBe(200);
	}
	// The event itself was applied once; only the stop was retried.
	const [row] = await hub.dataSource.query('SELECT attempts FROM billing_events WHERE id = $1', [event.id]);
	expect(row.attempts).toBe(1);
});

it('stops the other agents in the same attempt when one of them fails', async () => {
	const who = await customerWithAgents();
	// Exactly one n8n call fails: the first unpublish of this stop.
	n8n.failCalls({ count: 1, status: 500 });
	const event = customerDeleted(who.customerId);
	await deliver(event);
	await allStopped(who.account.id);

	const calls = n8n.requests.filter((request) => request.path.endsWith('/unpublish'));
	const mine = calls.filter((call) => who.deployed.some((agent) => call.path.includes(agent.n8nWorkflowId)));
	// failed one, the other one stopped, then the retry for the failed one only.
	expect(mine.map((call) => call.status)).toEqual([500, 200, 200]);
	expect(mine[2]!.path).toBe(mine[0]!.path);
});

it('unpublishes once for a customer.deleted delivered several times', async () => {
	const who = await customerWithAgents();
	const event = customerDeleted(who.customerId);
	const receipts = await Promise.all([deliver(event), deliver(event), deliver(event)]);
	expect(receipts.filter((receipt) => !receipt.duplicate)).toHaveLength(1);
	await processed(event.id);
	await allStopped(who.account.id);
	expect(await deliver(event)).toEqual({ received: true, duplicate: true });
	await queueIdle();

	for (const agent of who.deployed) expect(unpublishCalls(agent.n8nWorkflowId)).toHaveLength(1);
	const changes = await hub.dataSource.query('SELECT to_plan FROM account_plan_changes WHERE account_id = $1', [who.account.id]);
	expect(changes).toEqual([{ to_plan: 'freemium' }]);
});

it('stops nothing for an account that is not deactivated (a stray stop job)', async () => {
	const who = await customerWithAgents();
	const before = n8n.requests.length;
	const job = await queue.add({ kind: 'stop-agents', accountId: who.account.id });
	await job.finished();

	expect(n8n.requests.length).toBe(before);
	expect(Object.values(await statuses(who.account.id))).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
	for (const agent of who.deployed) expect(n8n.workflows.get(agent.n8nWorkflowId)!.active).toBe(true);
});

it('stops at start-up the agents of a deactivated account whose stop job was lost', async () => {
	const who = await customerWithAgents();
	// As left by a deactivation whose job could not be queued after the commit (Redis gone at that moment).
	await hub.dataSource.query('UPDATE billing_customers SET deactivated_at = now() WHERE account_id = $1', [who.account.id]);
	expect(Object.values(await statuses(who.account.id))).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);

	// A hub starting on this database queues the stop again (its own namespace: its close() clears its Redis keys).
	const replica = await startTestHub({ ...hubOptions(), loginThrottlePrefix: `${namespace}-restarted` });
	try {
		await allStopped(who.account.id);
	} finally {
		await replica.close();
	}
	for (const agent of who.deployed) expect(n8n.workflows.get(agent.n8nWorkflowId)!.active).toBe(false);
});
