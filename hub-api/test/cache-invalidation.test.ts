/**
 * The hot path caches authenticated keys and accounts per process (modules/api-keys, modules/accounts). Two replicas
 * on one database and one REDIS_NAMESPACE: a key revoked or rotated through one must stop working on the other,
 * which had it cached, without waiting for the cache's TTL; so must a plan change billing applied through one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import {
	FAKE_STRIPE_PRICES,
	fakeStripeBillingConfig,
	type FakeStripe,
	signStripePayload,
	startFakeStripe,
	stripeEvent,
	subscriptionObject,
} from '../../test/fakes/stripe';
import {
	createManualClock,
	createTestDatabase,
	startTestHub,
	TEST_REDIS_URL,
	type TestDatabase,
	type TestHub,
} from './support';

const START = '2026-03-10T12:00:00.000Z';
const GRACE_SECONDS = 600;
const clock = createManualClock(START);
const namespace = `skybot-test-${randomBytes(6).toString('hex')}`;
let database: TestDatabase;
let first: TestHub;
let second: TestHub;
let listener: Redis;
let stripe: FakeStripe;

beforeAll(async () => {
	[database, stripe] = await Promise.all([createTestDatabase(), startFakeStripe()]);
	const options = {
		database,
		clock: clock.now,
		loginThrottlePrefix: namespace,
		auth: { apiKeyRotationGraceSeconds: GRACE_SECONDS },
		// Both replicas run billing workers on the one queue, as in production.
		billing: fakeStripeBillingConfig(stripe.url),
	};
	[first, second] = await Promise.all([startTestHub(options), startTestHub(options)]);
	listener = new Redis(TEST_REDIS_URL);
	await listener.subscribe(`${namespace}:cache-invalidations`);
});
afterAll(async () => {
	listener?.disconnect();
	await Promise.all([first?.close(), second?.close()]);
	await Promise.all([database?.drop(), stripe?.close()]);
});
afterEach(() => clock.set(START));

/** Resolves once the invalidation of `id` went over Redis: the second hub, subscribed too, has it as well. */
function invalidationOf(id: string): Promise<void> {
	return new Promise((resolve) => {
		const onMessage = (_channel: string, raw: string) => {
			if ((JSON.parse(raw) as { id: string }).id !== id) return;
			listener.off('message', onMessage);
			resolve();
		};
		listener.on('message', onMessage);
	});
}

const me = (hub: TestHub, key: string) => hub.request('/api/auth/me', { key });

async function keyOnBothHubs() {
	const owner = await first.registerUser();
	const created = await first.request('/api/api-keys', { token: owner.accessToken, body: { name: 'n8n' } });
	const key = created.body.apiKey as { id: string; key: string };
	// Both replicas have authenticated (and so cached) the key.
	expect((await me(first, key.key)).status).toBe(200);
	expect((await me(second, key.key)).status).toBe(200);
	return { owner, key };
}

it('a key revoked through one replica answers 401 on the other, which had it cached', async () => {
	const { owner, key } = await keyOnBothHubs();
	const published = invalidationOf(key.id);
	expect((await first.request(`/api/api-keys/${key.id}`, { token: owner.accessToken, method: 'DELETE' })).status).toBe(204);
	expect((await me(first, key.key)).status).toBe(401);
	await published;
	expect((await me(second, key.key)).status).toBe(401);
});

it('a key rotated through one replica stops on the other when the grace period ends', async () => {
	const { owner, key } = await keyOnBothHubs();
	const published = invalidationOf(key.id);
	const rotated = await first.request(`/api/api-keys/${key.id}/rotate`, { token: owner.accessToken, method: 'POST' });
	expect(rotated.status).toBe(201);
	await published;
	expect((await me(second, key.key)).status).toBe(200);
	clock.advance(GRACE_SECONDS * 1000);
	expect((await me(second, key.key)).status).toBe(401);
	expect((await me(second, rotated.body.apiKey.key)).status).toBe(200);
});

describe('a plan change billing applies through one replica', () => {
	/** The account cache's TTL (modules/accounts): past it, a replica would see the new plan without any invalidation. */
	const HOT_ACCOUNT_TTL_MS = 5_000;
	const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
	const hubs = () => [first, second];

	const consume = (hub: TestHub, accountId: string) =>
		hub.request('/api/quotas/consume', {
			key: hub.platformKey,
			body: { messageId: `mid.${randomUUID()}`, conversationId: 'c', accountId },
		});

	/**
	 * Delivered to the first replica; the worker of either replica may apply it (bull picks), and exactly one does.
	 * Waits until it is applied and its invalidation went over Redis.
	 */
	async function apply(event: { id: string }, accountId: string) {
		const invalidated = invalidationOf(accountId);
		const payload = JSON.stringify(event);
		const response = await first.request('/api/billing/webhook', {
			rawBody: payload,
			headers: { 'stripe-signature': signStripePayload(payload, { timestamp: nowSeconds() }) },
		});
		expect(response.status).toBe(200);
		for (;;) {
			const [row] = await first.dataSource.query('SELECT processed_at FROM billing_events WHERE id = $1', [event.id]);
			if (row?.processed_at) break;
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		const [row] = await first.dataSource.query(
			`SELECT e.attempts, (SELECT count(*)::int FROM account_plan_changes c WHERE c.event_id = e.id) AS changes
			 FROM billing_events e WHERE e.id = $1`,
			[event.id],
		);
		expect(row).toEqual({ attempts: 1, changes: 1 });
		await invalidated;
	}

	/** Entries cached at `since` would still be served: fresh answers now are the invalidation's doing, not the TTL's. */
	const withinTtl = (since: number) => expect(performance.now() - since).toBeLessThan(HOT_ACCOUNT_TTL_MS);

	it('reaches the other replica’s cached account at once, up to Premium and back down to Freemium', async () => {
		const { account, apiKey } = await first.createTenant({ plan: 'freemium' });
		const checkout = await first.request('/api/billing/checkout', {
			key: apiKey.key,
			body: { plan: 'premium', successUrl: 'https://app.example.test/ok', cancelUrl: 'https://app.example.test/' },
		});
		expect(checkout.status).toBe(201);
		const [{ stripe_customer_id: customer }] = await first.dataSource.query(
			'SELECT stripe_customer_id FROM billing_customers WHERE account_id = $1',
			[account.id],
		);

		// Both replicas read the account and cache it (whichever applies the event, the other one must hear of it):
		// a plan written behind their back is not seen.
		for (const hub of hubs()) {
			expect((await consume(hub, account.id)).body).toMatchObject({ allowed: true, plan: 'freemium', limit: 10 });
		}
		const cachedAt = performance.now();
		await first.dataSource.query(`UPDATE accounts SET plan = 'ultra' WHERE id = $1`, [account.id]);
		for (const hub of hubs()) expect((await consume(hub, account.id)).body).toMatchObject({ plan: 'freemium', limit: 10 });
		await first.dataSource.query(`UPDATE accounts SET plan = 'freemium' WHERE id = $1`, [account.id]);

		const subscription = { id: `sub_${randomUUID()}`, customer, price: FAKE_STRIPE_PRICES.premiumMonthly };
		const active = subscriptionObject({ ...subscription, status: 'active' });
		await apply(stripeEvent('customer.subscription.created', active, nowSeconds()), account.id);
		withinTtl(cachedAt);
		expect((await consume(second, account.id)).body).toMatchObject({ allowed: true, used: 5, plan: 'premium', limit: 100 });
		expect((await consume(first, account.id)).body).toMatchObject({ allowed: true, used: 6, plan: 'premium', limit: 100 });
		const premiumCachedAt = performance.now();

		const canceled = subscriptionObject({ ...subscription, status: 'canceled' });
		await apply(stripeEvent('customer.subscription.deleted', canceled, nowSeconds()), account.id);
		withinTtl(premiumCachedAt);
		expect((await consume(second, account.id)).body).toMatchObject({ allowed: true, used: 7, plan: 'freemium', limit: 10 });
		expect((await consume(first, account.id)).body).toMatchObject({ allowed: true, used: 8, plan: 'freemium', limit: 10 });
	});
});
