import { randomBytes, randomUUID } from 'node:crypto';
import Queue from 'bull';
import {
	FAKE_STRIPE_PRICES,
	fakeStripeBillingConfig,
	type FakeStripe,
	signStripePayload,
	startFakeStripe,
	stripeEvent,
	subscriptionObject,
} from '../../test/fakes/stripe';
import { BILLING_QUEUE_NAME, billingQueuePrefix } from '../src/modules/billing/billing-jobs';
import { createManualClock, startTestHub, TEST_REDIS_URL, type TestHub } from './support';
import { expectDocumented } from './support/documented';

const START = '2026-03-10T15:00:00.000Z';
const clock = createManualClock(START);
const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
const DAY_MS = 24 * 60 * 60 * 1000;
const namespace = `skybot-test-billing-${randomBytes(6).toString('hex')}`;

let fake: FakeStripe;
let hub: TestHub;
let queue: Queue.Queue;

beforeAll(async () => {
	fake = await startFakeStripe();
	hub = await startTestHub({
		clock: clock.now,
		loginThrottlePrefix: namespace,
		billing: fakeStripeBillingConfig(fake.url),
	});
	// The hub's own billing queue, opened here only to fast-forward delayed jobs (see the grace-period tests).
	queue = new Queue(BILLING_QUEUE_NAME, TEST_REDIS_URL, { prefix: billingQueuePrefix(namespace) });
});
afterAll(async () => {
	await queue?.obliterate({ force: true }).catch(() => {});
	await queue?.close();
	await hub?.close();
	await fake?.close();
});
beforeEach(() => clock.set(START));

const urls = { successUrl: 'https://app.example.test/billing/done', cancelUrl: 'https://app.example.test/billing' };

async function subscriber(plan: 'freemium' | 'premium' | 'ultra' = 'freemium') {
	const tenant = await hub.createTenant({ plan });
	const response = await hub.request('/api/billing/checkout', {
		key: tenant.apiKey.key,
		body: { plan: 'premium', interval: 'month', ...urls },
	});
	expect(response.status).toBe(201);
	expectDocumented(response, 'post', '/api/billing/checkout');
	const [row] = await hub.dataSource.query('SELECT stripe_customer_id FROM billing_customers WHERE account_id = $1', [
		tenant.account.id,
	]);
	return { ...tenant, customerId: row.stripe_customer_id as string };
}

function deliver(payload: string, signature: string | undefined) {
	return hub.request('/api/billing/webhook', {
		rawBody: payload,
		headers: signature === undefined ? {} : { 'stripe-signature': signature },
	});
}

async function send(event: { id: string }) {
	const payload = JSON.stringify(event);
	const response = await deliver(payload, signStripePayload(payload, { timestamp: nowSeconds() }));
	expect(response.status).toBe(200);
	expectDocumented(response, 'post', '/api/billing/webhook');
	await processed(event.id);
	return response;
}

/** Waits until the bull worker has applied the event (no time limit of its own: Jest's timeout applies). */
async function processed(eventId: string): Promise<string> {
	for (;;) {
		const [row] = await hub.dataSource.query('SELECT processed_at, outcome FROM billing_events WHERE id = $1', [
			eventId,
		]);
		if (row?.processed_at) return row.outcome as string;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

const planOf = async (accountId: string) =>
	(await hub.dataSource.query('SELECT plan FROM accounts WHERE id = $1', [accountId]))[0].plan as string;

const counts = async () => {
	const [row] = await hub.dataSource.query(
		`SELECT (SELECT count(*) FROM billing_events)::int AS events,
			(SELECT count(*) FROM account_plan_changes)::int AS changes`,
	);
	return row as { events: number; changes: number };
};

const subscriptionEvent = (
	type: string,
	who: { customerId: string },
	options: { id: string; status: string; price?: string; created: number },
) =>
	stripeEvent(
		`customer.subscription.${type}`,
		subscriptionObject({
			id: options.id,
			customer: who.customerId,
			status: options.status,
			price: options.price ?? FAKE_STRIPE_PRICES.premiumMonthly,
		}),
		options.created,
	);

describe('POST /api/billing/checkout', () => {
	it('creates one Stripe customer per account, even for concurrent checkouts, and a subscription session', async () => {
		const { account, apiKey } = await hub.createTenant();
		const responses = await Promise.all(
			[1, 2, 3].map(() =>
				hub.request('/api/billing/checkout', { key: apiKey.key, body: { plan: 'ultra', interval: 'year', ...urls } }),
			),
		);
		expect(responses.map((response) => response.status)).toEqual([201, 201, 201]);
		expect(responses[0]!.body.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);

		const customers = [...fake.customers.values()].filter((customer) => customer.metadata.accountId === account.id);
		expect(customers).toHaveLength(1);
		const sessions = fake.checkoutSessions.filter((session) => session.params.client_reference_id === account.id);
		expect(sessions).toHaveLength(3);
		expect(sessions[0]!.params).toMatchObject({
			mode: 'subscription',
			customer: customers[0]!.id,
			line_items: [{ price: FAKE_STRIPE_PRICES.ultraYearly, quantity: '1' }],
			subscription_data: { metadata: { accountId: account.id } },
		});
	});

	it('refuses what is not for sale, platform keys and a body naming another account', async () => {
		const { apiKey } = await hub.createTenant();
		const other = await hub.createTenant();
		const freemium = await hub.request('/api/billing/checkout', { key: apiKey.key, body: { plan: 'freemium', ...urls } });
		expect(freemium.status).toBe(422);
		const premiumYearly = await hub.request('/api/billing/checkout', {
			key: apiKey.key,
			body: { plan: 'premium', interval: 'year', ...urls },
		});
		expect(premiumYearly.status).toBe(422);
		expect(premiumYearly.body.error.code).toBe('interval_not_offered');
		const badUrl = await hub.request('/api/billing/checkout', {
			key: apiKey.key,
			body: { plan: 'premium', successUrl: 'javascript:alert(1)', cancelUrl: urls.cancelUrl },
		});
		expect(badUrl.status).toBe(422);
		const platform = await hub.request('/api/billing/checkout', {
			key: hub.platformKey,
			body: { plan: 'premium', ...urls, accountId: other.account.id },
		});
		expect(platform.status).toBe(403);

		const massAssigned = await hub.request('/api/billing/checkout', {
			key: apiKey.key,
			body: { plan: 'premium', ...urls, accountId: other.account.id },
		});
		expect(massAssigned.status).toBe(201);
		expect(fake.checkoutSessions.at(-1)!.params.client_reference_id).not.toBe(other.account.id);
	});

	it('answers 502 when Stripe refuses, and sends subscribers to the portal instead of a second subscription', async () => {
		const { apiKey } = await hub.createTenant();
		fake.failNext(1, { status: 400, type: 'invalid_request_error', message: 'Something is off' });
		const refused = await hub.request('/api/billing/checkout', { key: apiKey.key, body: { plan: 'premium', ...urls } });
		expect(refused.status).toBe(502);
		expect(refused.body.error.code).toBe('stripe_error');

		const who = await subscriber();
		await send(subscriptionEvent('created', who, { id: `sub_${randomUUID()}`, status: 'active', created: nowSeconds() }));
		const again = await hub.request('/api/billing/checkout', { key: who.apiKey.key, body: { plan: 'ultra', ...urls } });
		expect(again.status).toBe(409);
		expect(again.body.error.code).toBe('already_subscribed');
	});
});

describe('POST /api/billing/portal', () => {
	it('opens a portal session for the account’s customer, and 409 before any checkout', async () => {
		const fresh = await hub.createTenant();
		const none = await hub.request('/api/billing/portal', { key: fresh.apiKey.key, body: { returnUrl: urls.cancelUrl } });
		expect(none.status).toBe(409);

		const who = await subscriber();
		const response = await hub.request('/api/billing/portal', { key: who.apiKey.key, body: { returnUrl: urls.cancelUrl } });
		expect(response.status).toBe(201);
		expectDocumented(response, 'post', '/api/billing/portal');
		expect(response.body.url).toMatch(/^https:\/\/billing\.stripe\.com\//);
		expect(fake.portalSessions.at(-1)!.params).toEqual({ customer: who.customerId, return_url: urls.cancelUrl });
	});
});

describe('POST /api/billing/webhook', () => {
	it('accepts a valid signature, then applies the event through the queue', async () => {
		const who = await subscriber();
		const event = subscriptionEvent('created', who, { id: `sub_${randomUUID()}`, status: 'active', created: nowSeconds() });
		const response = await send(event);
		expect(response.body).toEqual({ received: true, duplicate: false });
		expect(await processed(event.id)).toBe('subscription_applied');
		expect(await planOf(who.account.id)).toBe('premium');
	});

	it.each([
		['the body changed by one byte', (payload: string) => ({ body: payload.replace('"active"', '"activf"') })],
		['a timestamp older than 300 s', () => ({ timestamp: nowSeconds() - 301 })],
		['a signature made with another secret', () => ({ secret: 'whsec_not_ours' })],
		['no Stripe-Signature header', () => ({ header: undefined })],
	])('refuses %s with 400 and changes nothing', async (_case, tamper) => {
		const who = await subscriber();
		const event = subscriptionEvent('created', who, { id: `sub_${randomUUID()}`, status: 'active', created: nowSeconds() });
		const payload = JSON.stringify(event);
		const change: { body?: string; timestamp?: number; secret?: string; header?: undefined } = tamper(payload);
		const signature = signStripePayload(payload, { timestamp: change.timestamp ?? nowSeconds(), secret: change.secret });
		const before = await counts();

		const response = await deliver(change.body ?? payload, 'header' in change ? undefined : signature);
		expect(response.status).toBe(400);
		expect(response.body.error.code).toBe('header' in change ? 'missing_signature' : 'invalid_signature');
		expect(await counts()).toEqual(before);
		expect(await planOf(who.account.id)).toBe('freemium');
	});

	it('applies the same event delivered five times at once exactly once', async () => {
		const who = await subscriber();
		const event = subscriptionEvent('created', who, { id: `sub_${randomUUID()}`, status: 'active', created: nowSeconds() });
		const payload = JSON.stringify(event);
		const responses = await Promise.all(
			Array.from({ length: 5 }, () => deliver(payload, signStripePayload(payload, { timestamp: nowSeconds() }))),
		);
		expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
		expect(responses.filter((response) => !response.body.duplicate)).toHaveLength(1);
		await processed(event.id);

		const late = await deliver(payload, signStripePayload(payload, { timestamp: nowSeconds() }));
		expect(late.body).toEqual({ received: true, duplicate: true });
		const changes = await hub.dataSource.query('SELECT event_id, to_plan FROM account_plan_changes WHERE account_id = $1', [
			who.account.id,
		]);
		expect(changes).toEqual([{ event_id: event.id, to_plan: 'premium' }]);
		const [row] = await hub.dataSource.query('SELECT attempts FROM billing_events WHERE id = $1', [event.id]);
		expect(row.attempts).toBe(1);
	});

	it('keeps the newest subscription state: an older updated arriving after deleted changes nothing', async () => {
		const who = await subscriber();
		const subscriptionId = `sub_${randomUUID()}`;
		const t = nowSeconds();
		const ultra = FAKE_STRIPE_PRICES.ultraMonthly;
		await send(subscriptionEvent('created', who, { id: subscriptionId, status: 'active', price: ultra, created: t - 300 }));
		expect(await planOf(who.account.id)).toBe('ultra');
		await send(subscriptionEvent('deleted', who, { id: subscriptionId, status: 'canceled', price: ultra, created: t }));
		expect(await planOf(who.account.id)).toBe('freemium');

		const stale = subscriptionEvent('updated', who, { id: subscriptionId, status: 'active', price: ultra, created: t - 100 });
		await send(stale);
		expect(await processed(stale.id)).toBe('ignored_stale_state');
		expect(await planOf(who.account.id)).toBe('freemium');
	});

	it('takes the newer of two updates whatever order they arrive in', async () => {
		const who = await subscriber();
		const subscriptionId = `sub_${randomUUID()}`;
		const t = nowSeconds();
		await send(
			subscriptionEvent('updated', who, {
				id: subscriptionId,
				status: 'active',
				price: FAKE_STRIPE_PRICES.ultraMonthly,
				created: t,
			}),
		);
		await send(subscriptionEvent('created', who, { id: subscriptionId, status: 'active', created: t - 60 }));
		expect(await planOf(who.account.id)).toBe('ultra');
	});

	it('links the customer on checkout.session.completed and ignores events of unknown customers', async () => {
		const { account } = await hub.createTenant();
		const linked = stripeEvent(
			'checkout.session.completed',
			{ id: 'cs_test_x', object: 'checkout.session', mode: 'subscription', customer: 'cus_outside', client_reference_id: account.id },
			nowSeconds(),
		);
		await send(linked);
		expect(await processed(linked.id)).toBe('customer_linked');
		const [row] = await hub.dataSource.query('SELECT stripe_customer_id FROM billing_customers WHERE account_id = $1', [
			account.id,
		]);
		expect(row.stripe_customer_id).toBe('cus_outside');

		const stranger = subscriptionEvent('created', { customerId: 'cus_nobody' }, { id: 'sub_x', status: 'active', created: nowSeconds() });
		await send(stranger);
		expect(await processed(stranger.id)).toBe('ignored_unknown_customer');
	});

	it('retries an event whose processing failed (bull backoff) and applies it once the database recovers', async () => {
		const who = await subscriber();
		// A transient database failure, real to the hub: the table a plan change writes to is briefly missing.
		await hub.dataSource.query('ALTER TABLE account_plan_changes RENAME TO account_plan_changes_away');
		const event = subscriptionEvent('created', who, { id: `sub_${randomUUID()}`, status: 'active', created: nowSeconds() });
		const payload = JSON.stringify(event);
		try {
			expect((await deliver(payload, signStripePayload(payload, { timestamp: nowSeconds() }))).status).toBe(200);
			for (;;) {
				const [row] = await hub.dataSource.query('SELECT last_error FROM billing_events WHERE id = $1', [event.id]);
				if (row?.last_error) break;
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			expect(await planOf(who.account.id)).toBe('freemium');
		} finally {
			await hub.dataSource.query('ALTER TABLE account_plan_changes_away RENAME TO account_plan_changes');
		}
		expect(await processed(event.id)).toBe('subscription_applied');
		expect(await planOf(who.account.id)).toBe('premium');
		const [row] = await hub.dataSource.query('SELECT attempts, last_error FROM billing_events WHERE id = $1', [event.id]);
		expect(row.attempts).toBeGreaterThanOrEqual(2);
		expect(row.last_error).toBeNull();
	});

	it('answers 503 billing_not_configured on a hub without Stripe, which otherwise works', async () => {
		const plain = await startTestHub();
		try {
			const { apiKey } = await plain.createTenant();
			const checkout = await plain.request('/api/billing/checkout', { key: apiKey.key, body: { plan: 'premium', ...urls } });
			expect(checkout.status).toBe(503);
			expect(checkout.body.error.code).toBe('billing_not_configured');
			const webhook = await plain.request('/api/billing/webhook', { rawBody: '{}', headers: { 'stripe-signature': 'x' } });
			expect(webhook.status).toBe(503);
			expect((await plain.request('/api/billing/usage', { key: apiKey.key })).status).toBe(200);
		} finally {
			await plain.close();
		}
	});
});

describe('plan changes', () => {
	it('apply to quotas at once', async () => {
		const who = await subscriber();
		const consume = () =>
			hub.request('/api/quotas/consume', {
				key: hub.platformKey,
				body: { messageId: `mid.${randomUUID()}`, conversationId: 'c', accountId: who.account.id },
			});
		for (let index = 0; index < 10; index += 1) await consume();
		expect((await consume()).body).toMatchObject({ allowed: false, limit: 10, plan: 'freemium' });

		await send(subscriptionEvent('created', who, { id: `sub_${randomUUID()}`, status: 'active', created: nowSeconds() }));
		expect((await consume()).body).toMatchObject({ allowed: true, used: 11, limit: 100, plan: 'premium' });
		const usage = await hub.request('/api/billing/usage', { key: who.apiKey.key });
		expectDocumented(usage, 'get', '/api/billing/usage');
		expect(usage.body).toEqual({ plan: 'premium', used: 11, limit: 100, remaining: 89, resetAt: '2026-03-11T00:00:00.000Z' });
	});

	it('keep the paid plan through the grace period after a failed payment, then fall back to Freemium', async () => {
		const who = await subscriber();
		await send(subscriptionEvent('created', who, { id: `sub_${randomUUID()}`, status: 'active', created: nowSeconds() }));
		const failed = stripeEvent('invoice.payment_failed', { id: 'in_1', object: 'invoice', customer: who.customerId }, nowSeconds());
		await send(failed);
		expect(await processed(failed.id)).toBe('grace_period_started');
		expect(await planOf(who.account.id)).toBe('premium');

		// The queue woke the check early (the clock is 6 days in): still premium, and a new check is scheduled.
		clock.advance(6 * DAY_MS);
		await runGraceCheck(who.account.id);
		expect(await planOf(who.account.id)).toBe('premium');

		clock.advance(DAY_MS);
		await runGraceCheck(who.account.id);
		expect(await planOf(who.account.id)).toBe('freemium');
		const [change] = await hub.dataSource.query(
			`SELECT reason FROM account_plan_changes WHERE account_id = $1 ORDER BY id DESC LIMIT 1`,
			[who.account.id],
		);
		expect(change.reason).toBe('grace_period_over');
	});

	it('end the grace period when the invoice is paid, and a late older failure does not reopen it', async () => {
		const who = await subscriber();
		await send(subscriptionEvent('created', who, { id: `sub_${randomUUID()}`, status: 'active', created: nowSeconds() }));
		const t = nowSeconds();
		const paid = stripeEvent('invoice.paid', { id: 'in_2', object: 'invoice', customer: who.customerId }, t);
		await send(paid);
		expect(await processed(paid.id)).toBe('payment_recorded');
		const lateFailure = stripeEvent('invoice.payment_failed', { id: 'in_1', object: 'invoice', customer: who.customerId }, t - 10);
		await send(lateFailure);
		expect(await processed(lateFailure.id)).toBe('ignored_stale_state');

		clock.advance(8 * DAY_MS);
		expect(await planOf(who.account.id)).toBe('premium');
		const [row] = await hub.dataSource.query('SELECT payment_failed_at FROM billing_customers WHERE account_id = $1', [
			who.account.id,
		]);
		expect(row.payment_failed_at).toBeNull();
	});

	it('deactivate and archive the account when its Stripe customer is deleted', async () => {
		const who = await subscriber();
		await send(subscriptionEvent('created', who, { id: `sub_${randomUUID()}`, status: 'active', created: nowSeconds() }));
		const deleted = stripeEvent('customer.deleted', { id: who.customerId, object: 'customer', deleted: true }, nowSeconds());
		await send(deleted);
		expect(await processed(deleted.id)).toBe('account_deactivated');
		expect(await planOf(who.account.id)).toBe('freemium');

		const agent = await hub.request('/api/agents', { key: who.apiKey.key, body: { name: 'another' } });
		expect(agent.status).toBe(403);
		expect(agent.body.error.code).toBe('account_deactivated');
		const checkout = await hub.request('/api/billing/checkout', { key: who.apiKey.key, body: { plan: 'premium', ...urls } });
		expect(checkout.status).toBe(403);
	});
});

/** Runs the account's pending grace check now, as bull would at its due time, and waits for it. */
async function runGraceCheck(accountId: string): Promise<void> {
	const job = (await queue.getDelayed()).find((delayed) => delayed.data.accountId === accountId);
	if (!job) throw new Error('no grace check scheduled');
	const done = job.finished();
	await job.promote();
	await done;
}
