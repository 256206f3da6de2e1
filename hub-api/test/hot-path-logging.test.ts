/**
 * POST /api/quotas/consume runs once per DM: below debug its successes are not logged (pino-http's per-request
 * child logger was a large share of the hub's CPU), while refusals and failures still are, without the API key.
 */
import { randomUUID } from 'node:crypto';
import { capturingLogger, startTestHub, type TestHub } from './support';

const { logger, lines } = capturingLogger('info');
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub({ logger });
});
afterAll(() => hub?.close());

const consumeLines = () =>
	lines.map((line) => JSON.parse(line)).filter((entry) => entry.req?.url === '/api/quotas/consume');

it('logs a refused consume with its status and no credentials, and no line for a successful one', async () => {
	const { account } = await hub.createTenant();
	const ok = await hub.request('/api/quotas/consume', {
		key: hub.platformKey,
		body: { messageId: `mid.${randomUUID()}`, conversationId: 'c', accountId: account.id },
	});
	expect(ok.status).toBe(200);
	const refused = await hub.request('/api/quotas/consume', { key: 'skb_000000000000_not-a-real-key-of-32-characters', body: {} });
	expect(refused.status).toBe(401);
	const malformed = await hub.request('/api/quotas/consume', { key: hub.platformKey, body: { accountId: account.id } });
	expect(malformed.status).toBe(422);

	// The 'finish' listener runs after the response is sent; wait for the lines rather than for a time.
	while (consumeLines().length < 2) await new Promise((resolve) => setImmediate(resolve));
	expect(consumeLines().map((entry) => [entry.level, entry.res.statusCode])).toEqual([
		[30, 401],
		[30, 422],
	]);
	expect(lines.join('\n')).not.toContain(hub.platformKey);
});

it('logs every consume, successes included, at debug', async () => {
	const { logger: debugLogger, lines: debugLines } = capturingLogger('debug');
	const debugHub = await startTestHub({ logger: debugLogger });
	try {
		const { account } = await debugHub.createTenant();
		const ok = await debugHub.request('/api/quotas/consume', {
			key: debugHub.platformKey,
			body: { messageId: `mid.${randomUUID()}`, conversationId: 'c', accountId: account.id },
		});
		expect(ok.status).toBe(200);
		const consumeEntries = () =>
			debugLines.map((line) => JSON.parse(line)).filter((entry) => entry.req?.url === '/api/quotas/consume');
		while (consumeEntries().length < 1) await new Promise((resolve) => setImmediate(resolve));
		expect(consumeEntries()[0]).toMatchObject({ level: 20, res: { statusCode: 200 } });
		expect(consumeEntries()[0].req.headers['x-api-key']).toBe('[redacted]');
	} finally {
		await debugHub.close();
	}
});
