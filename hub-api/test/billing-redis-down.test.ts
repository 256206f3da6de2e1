import { createServer } from 'node:net';
import { fakeStripeBillingConfig, signStripePayload, stripeEvent } from '../../test/fakes/stripe';
import { createTestDatabase, startTestHub, type TestDatabase, type TestHub } from './support';

async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

// Stripe's API is never called here: no route of these tests reaches it.
const billing = fakeStripeBillingConfig('http://127.0.0.1:9');

describe('billing with Redis down', () => {
	let database: TestDatabase;
	let hub: TestHub;
	beforeAll(async () => {
		database = await createTestDatabase();
		hub = await startTestHub({ database, billing, redisUrl: `redis://127.0.0.1:${await closedPort()}` });
	});
	afterAll(async () => {
		await hub?.close();
		await database?.drop();
	});

	it('keeps a verified event in the inbox, answers 503 so Stripe redelivers it, and applies it once Redis is back', async () => {
		const event = stripeEvent('invoice.paid', { id: 'in_1', object: 'invoice', customer: 'cus_1' }, Math.floor(Date.now() / 1000));
		const payload = JSON.stringify(event);
		const response = await hub.request('/api/billing/webhook', {
			rawBody: payload,
			headers: { 'stripe-signature': signStripePayload(payload) },
		});
		expect(response.status).toBe(503);
		expect(response.body.error.code).toBe('billing_queue_unavailable');
		const rows = await hub.dataSource.query('SELECT id, processed_at FROM billing_events');
		expect(rows).toEqual([{ id: event.id, processed_at: null }]);

		// Redis is back (a replica started against it): events left in the inbox are queued and applied.
		const recovered = await startTestHub({ database, billing });
		try {
			for (;;) {
				const [row] = await recovered.dataSource.query('SELECT outcome FROM billing_events WHERE id = $1', [event.id]);
				if (row.outcome) {
					expect(row.outcome).toBe('ignored_unknown_customer');
					break;
				}
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		} finally {
			await recovered.close();
		}
	});
});
