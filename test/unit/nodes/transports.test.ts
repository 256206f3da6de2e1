/**
 * The three node transports on the shared request-and-status block (nodes/shared/transport.ts), with n8n's
 * execution context faked: what each sends to n8n's authenticated HTTP helper, and how a refused call becomes the
 * item's node error (message, description, status and the service's code, as toItemError reads them).
 */
import { createHmac } from 'node:crypto';

import type { IExecuteFunctions, IHttpRequestOptions, INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { EXECUTION_SIGNATURE_HEADER } from '../../../contracts/hub-api';
import { hubApiRequest, signedHubWebhookRequest } from '../../../nodes/SkyBot/transport';
import { openAiRequest } from '../../../nodes/SkyBotAi/transport';
import { graphApiRequest } from '../../../nodes/SkyBotMeta/transport';
import { toItemError } from '../../../nodes/shared/item-error';
import { authenticatedRequest, type RetryPolicy, retryDelayMs } from '../../../nodes/shared/transport';

const node: INode = {
	id: 'node-1',
	name: 'Step',
	type: 'n8n-nodes-skybot.skyBot',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

interface SentRequest {
	credentialType: string;
	options: IHttpRequestOptions;
}

/** An execution context whose credential holds `credentials` and whose HTTP helper answers `answer`. */
function fakeContext(credentials: Record<string, unknown>, answer: { statusCode: number; body: unknown }) {
	const sent: SentRequest[] = [];
	const context = {
		getNode: () => node,
		getCredentials: async () => credentials,
		helpers: {
			httpRequestWithAuthentication: async (credentialType: string, options: IHttpRequestOptions) => {
				sent.push({ credentialType, options });
				return { ...answer, headers: {} };
			},
		},
	};
	return { context: context as unknown as IExecuteFunctions, sent };
}

async function thrownBy(call: Promise<unknown>): Promise<NodeApiError> {
	const error = await call.then(
		() => undefined,
		(thrown: unknown) => thrown,
	);
	expect(error).toBeInstanceOf(NodeApiError);
	return error as NodeApiError;
}

describe('hubApiRequest', () => {
	it("sends the call to the credential's base URL and answers the body of a 2xx", async () => {
		const { context, sent } = fakeContext({ baseUrl: 'https://hub.example//', apiKey: 'k' }, { statusCode: 200, body: { ok: 1 } });

		await expect(hubApiRequest.call(context, 'GET', '/api/leads?limit=1', 0)).resolves.toEqual({ ok: 1 });

		expect(sent).toEqual([
			{
				credentialType: 'skyBotHubApi',
				options: {
					method: 'GET',
					url: 'https://hub.example/api/leads?limit=1',
					body: undefined,
					json: true,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
				},
			},
		]);
	});

	it("words a refusal with the hub's message and code, or with a clearer message for that status", async () => {
		const refusal = { statusCode: 404, body: { error: { code: 'route_not_found', message: 'Route not found' } } };
		const plain = await thrownBy(hubApiRequest.call(fakeContext({ baseUrl: 'https://hub.example' }, refusal).context, 'GET', '/x', 2));
		expect(plain.message).toBe('Route not found');
		expect(plain.description).toBe('SkyBot Hub error route_not_found (HTTP 404)');
		expect(plain.context.itemIndex).toBe(2);
		expect(toItemError(plain)).toMatchObject({ httpStatus: 404, code: 'route_not_found' });

		const clearer = await thrownBy(
			hubApiRequest.call(fakeContext({ baseUrl: 'https://hub.example' }, refusal).context, 'GET', '/x', 0, undefined, {
				messageByStatus: { 404: 'No SkyBot agent is connected to instagram account 1784' },
			}),
		);
		expect(clearer.message).toBe('No SkyBot agent is connected to instagram account 1784');
		expect(clearer.description).toBe('Route not found: SkyBot Hub error route_not_found (HTTP 404)');

		// A code's message wins over its status's: one status (429) carries several codes.
		const byCode = await thrownBy(
			hubApiRequest.call(fakeContext({ baseUrl: 'https://hub.example' }, refusal).context, 'GET', '/x', 0, undefined, {
				messageByStatus: { 404: 'by status' },
				messageByCode: { route_not_found: 'by code', other_code: 'unused' },
			}),
		);
		expect(byCode.message).toBe('by code');
		const otherCode = await thrownBy(
			hubApiRequest.call(fakeContext({ baseUrl: 'https://hub.example' }, refusal).context, 'GET', '/x', 0, undefined, {
				messageByStatus: { 404: 'by status' },
				messageByCode: { other_code: 'unused' },
			}),
		);
		expect(otherCode.message).toBe('by status');

		const bare = await thrownBy(
			hubApiRequest.call(fakeContext({ baseUrl: 'https://hub.example' }, { statusCode: 502, body: 'Bad gateway' }).context, 'GET', '/x', 0),
		);
		expect(toItemError(bare)).toEqual({ message: 'SkyBot Hub answered HTTP 502', description: 'HTTP 502', httpStatus: 502 });
	});
});

describe('signedHubWebhookRequest', () => {
	it('sends the exact bytes it signs with the Webhook Secret', async () => {
		const { context, sent } = fakeContext({ baseUrl: 'https://hub.example', webhookSecret: 's3cret' }, { statusCode: 201, body: { id: 'e1' } });

		await expect(signedHubWebhookRequest.call(context, '/api/webhooks/n8n/execution', 0, { status: 'success' })).resolves.toEqual({ id: 'e1' });

		const [{ options }] = sent;
		expect(options).toMatchObject({ method: 'POST', url: 'https://hub.example/api/webhooks/n8n/execution', body: '{"status":"success"}' });
		const [, timestamp, signature] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(options.headers?.[EXECUTION_SIGNATURE_HEADER]))!;
		expect(signature).toBe(createHmac('sha256', 's3cret').update(`${timestamp}.{"status":"success"}`).digest('hex'));
	});
});

describe('openAiRequest', () => {
	it('posts to the default OpenAI base URL when the credential sets none', async () => {
		const { context, sent } = fakeContext({ apiKey: 'sk', url: '' }, { statusCode: 200, body: { choices: [] } });

		await openAiRequest.call(context, '/chat/completions', { model: 'm' }, 0);

		expect(sent[0]).toMatchObject({
			credentialType: 'openAiApi',
			options: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', body: { model: 'm' } },
		});
	});

	it("words a refusal with the API's status, message and code", async () => {
		const refusal = { statusCode: 429, body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } };
		// Max Retries 0: the first refusal is the item's error.
		const error = await thrownBy(openAiRequest.call(fakeContext({ url: 'http://llm.local/v1/' }, refusal).context, '/chat/completions', {}, 1, 0));

		expect(toItemError(error)).toEqual({
			message: 'AI API error 429: Rate limit reached',
			description: 'Error code rate_limit_exceeded',
			httpStatus: 429,
			code: 'rate_limit_exceeded',
		});
		expect(error.context.itemIndex).toBe(1);
	});
});

describe('graphApiRequest', () => {
	it('posts to the Graph API version of the credential', async () => {
		const { context, sent } = fakeContext({ graphBaseUrl: 'http://graph.local/', graphVersion: '/v21.0/' }, { statusCode: 200, body: { message_id: 'm' } });

		await graphApiRequest.call(context, '/123/messages', { text: 'x' }, 0);

		expect(sent[0]).toMatchObject({ credentialType: 'skyBotMetaAppApi', options: { url: 'http://graph.local/v21.0/123/messages' } });
	});

	it("words a refusal with Graph's error code, message and trace id", async () => {
		const refusal = {
			statusCode: 400,
			body: { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, fbtrace_id: 'AbC' } },
		};
		const error = await thrownBy(graphApiRequest.call(fakeContext({}, refusal).context, '/123/messages', {}, 0));

		expect(toItemError(error)).toEqual({
			message: 'Meta Graph API error 100: Invalid parameter',
			description: 'type OAuthException, fbtrace_id AbC',
			httpStatus: 400,
			code: '100',
		});
	});
});

describe('retries of a 429 or 5xx answer', () => {
	/** An execution context whose HTTP helper gives these answers in turn (the last one again when they run out). */
	function answering(...answers: { statusCode: number; body?: unknown; headers?: Record<string, string> }[]) {
		let calls = 0;
		const context = {
			getNode: () => node,
			helpers: {
				httpRequestWithAuthentication: async () => {
					const answer = answers[Math.min(calls, answers.length - 1)]!;
					calls += 1;
					return { body: {}, headers: {}, ...answer };
				},
			},
		} as unknown as IExecuteFunctions;
		return { context, calls: () => calls };
	}
	const policy: RetryPolicy = { attempts: 3, baseDelayMs: 2, maxDelayMs: 50 };
	const call = (context: IExecuteFunctions, retry: RetryPolicy | null = policy) =>
		authenticatedRequest.call(context, {
			credentialType: 'openAiApi',
			http: { method: 'POST', url: 'http://llm.local/v1/chat/completions' },
			itemIndex: 0,
			retry: retry ?? undefined,
			describeError: (_body, status) => ({ message: `refused with ${status}` }),
		});

	it('tries a rate-limited call again and answers the success', async () => {
		const { context, calls } = answering({ statusCode: 429, headers: { 'retry-after-ms': '5' } }, { statusCode: 200, body: { ok: true } });
		await expect(call(context)).resolves.toEqual({ ok: true });
		expect(calls()).toBe(2);
	});

	it('stops after its attempts and says so in the error', async () => {
		const { context, calls } = answering({ statusCode: 503 });
		const error = await thrownBy(call(context));
		expect(calls()).toBe(3);
		expect(toItemError(error)).toMatchObject({ message: 'refused with 503', description: 'Gave up after 3 attempts', httpStatus: 503 });
	});

	it('does not wait for a Retry-After longer than the policy allows', async () => {
		const { context, calls } = answering({ statusCode: 429, headers: { 'retry-after': '3600' } }, { statusCode: 200 });
		const error = await thrownBy(call(context));
		expect(calls()).toBe(1);
		expect(toItemError(error).description).toBe('Not retried: the service asked to wait longer than 0.05 s (attempt 1 of 3)');
	});

	it('never retries a refusal that another try cannot change (4xx other than 429), nor without a policy', async () => {
		const badRequest = answering({ statusCode: 400 }, { statusCode: 200 });
		await thrownBy(call(badRequest.context));
		expect(badRequest.calls()).toBe(1);
		const noPolicy = answering({ statusCode: 500 }, { statusCode: 200 });
		expect(toItemError(await thrownBy(call(noPolicy.context, null))).description).toBeUndefined();
		expect(noPolicy.calls()).toBe(1);
	});

	it("waits what the service asks (retry-after-ms, Retry-After seconds or date), else a jittered exponential backoff", () => {
		const now = Date.parse('2026-12-04T10:00:00Z');
		const wide: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 20_000 };
		expect(retryDelayMs({ 'retry-after-ms': '250', 'retry-after': '1' }, 1, wide)).toBe(250);
		expect(retryDelayMs({ 'retry-after': '2' }, 1, wide)).toBe(2000);
		expect(retryDelayMs({ 'retry-after': '1.5' }, 1, wide)).toBe(1500);
		expect(retryDelayMs({ 'retry-after': 'Fri, 04 Dec 2026 10:00:07 GMT' }, 1, wide, Math.random, now)).toBe(7000);
		expect(retryDelayMs({ 'retry-after': 'Fri, 04 Dec 2026 09:59:00 GMT' }, 1, wide, Math.random, now)).toBe(0);
		expect(retryDelayMs({ 'retry-after': '60' }, 1, wide)).toBeUndefined();
		// No usable header: between half and all of base × 2^(retry-1), capped at maxDelayMs.
		expect(retryDelayMs({}, 1, wide, () => 0)).toBe(500);
		expect(retryDelayMs({ 'retry-after': 'soon' }, 2, wide, () => 1)).toBe(2000);
		expect(retryDelayMs({}, 3, wide, () => 0.5)).toBe(3000);
		expect(retryDelayMs({}, 10, wide, () => 1)).toBe(20_000);
	});
});
