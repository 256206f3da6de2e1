import { capturingLogger, startTestHub, type TestHub } from './support';

const { logger, lines } = capturingLogger('info');
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub({ logger });
});
afterAll(() => hub?.close());

describe('request logging', () => {
	it('logs requests without API keys, authorization headers or created keys', async () => {
		const created = await hub.request('/api/accounts', { key: hub.platformKey, body: { name: 'Logged' } });
		const newKey: string = created.body.apiKey.key;
		await hub.request('/api/auth/me', { key: newKey, headers: { authorization: 'Bearer secret-jwt-value' } });

		const requestLines = lines.map((line) => JSON.parse(line)).filter((entry) => entry.req);
		expect(requestLines.map((entry) => entry.req.url)).toEqual(
			expect.arrayContaining(['/api/accounts', '/api/auth/me']),
		);
		expect(requestLines.every((entry) => entry.req.headers['x-api-key'] === '[redacted]')).toBe(true);
		const everything = lines.join('\n');
		for (const secret of [hub.platformKey, newKey, 'secret-jwt-value']) expect(everything).not.toContain(secret);
	});
});
