import { createHmac } from 'node:crypto';

import type { IExecuteFunctions, IHttpRequestOptions, INode, INodeExecutionData } from 'n8n-workflow';

import { EXECUTION_SIGNATURE_HEADER } from '../../../contracts/hub-api';
import { execute } from '../../../nodes/SkyBot/actions/pipeline/recordOutcome.operation';
import { buildOutcomeRequest, OutcomeInputError } from '../../../nodes/SkyBot/helpers/outcome';
import { InteractionInputError } from '../../../nodes/SkyBot/helpers/interaction';

const item = {
	provider: 'instagram',
	kind: 'dm',
	messageId: 'mid.1',
	accountExternalId: '1784',
	conversationId: 'instagram:1784:igsid-42',
	contact: { externalId: 'igsid-42', name: 'Lea' },
	text: 'Bonjour',
	timestamp: '2026-03-10T08:59:58.000Z',
	route: { accountId: 'a', agentId: 'g' },
	ai: { text: 'Bonjour !', model: 'gpt-4o-mini', promptTokens: 120, completionTokens: 30, costUsd: 0.000036 },
	delivery: { messageId: 'm_reply' },
};

const parameters = {
	status: 'replied' as const,
	accountId: '11111111-1111-4111-8111-111111111111',
	agentId: '22222222-2222-4222-8222-222222222222',
	executionId: '981',
	workflowId: 'wf1',
	startedAtMs: Date.parse('2026-03-10T09:00:00.000Z'),
	nowMs: Date.parse('2026-03-10T09:00:01.250Z'),
};

describe('buildOutcomeRequest', () => {
	it('carries the message, the reply with its cost and delivery id, and the execution timing, each once', () => {
		expect(buildOutcomeRequest(item, parameters)).toEqual({
			accountId: parameters.accountId,
			agentId: parameters.agentId,
			executionId: '981',
			workflowId: 'wf1',
			startedAt: '2026-03-10T09:00:00.000Z',
			latencyMs: 1250,
			status: 'replied',
			message: {
				provider: 'instagram',
				kind: 'dm',
				messageId: 'mid.1',
				accountExternalId: '1784',
				conversationId: 'instagram:1784:igsid-42',
				contact: { externalId: 'igsid-42', name: 'Lea' },
				text: 'Bonjour',
				timestamp: '2026-03-10T08:59:58.000Z',
			},
			reply: {
				text: 'Bonjour !',
				model: 'gpt-4o-mini',
				promptTokens: 120,
				completionTokens: 30,
				costUsd: 0.000036,
				externalId: 'm_reply',
			},
		});
	});

	it('records a failure with its reason and the error the failed step left', () => {
		const failed = { ...item, ai: undefined, delivery: undefined, error: { message: 'AI 503', code: 'ai_error', httpStatus: 503 } };
		const request = buildOutcomeRequest(failed, { ...parameters, status: 'failed', reason: 'ai_failed' });
		expect(request).toMatchObject({ status: 'failed', reason: 'ai_failed', error: { message: 'AI 503', code: 'ai_error', httpStatus: 503 } });
		expect(request).not.toHaveProperty('reply');
	});

	it('sends agentId null for a message no agent answers, and a null latency when n8n gave no start time', () => {
		const request = buildOutcomeRequest(item, { ...parameters, agentId: '', startedAtMs: undefined });
		expect(request).toMatchObject({ agentId: null, latencyMs: null, startedAt: '2026-03-10T09:00:01.250Z' });
	});

	it.each([
		['no account', { accountId: '' }, OutcomeInputError, /accountId/],
		['no execution id', { executionId: '' }, OutcomeInputError, /executionId/],
	])('refuses %s', (_case, override, type, message) => {
		expect(() => buildOutcomeRequest(item, { ...parameters, ...override })).toThrow(type);
		expect(() => buildOutcomeRequest(item, { ...parameters, ...override })).toThrow(message);
	});

	it('refuses an item that is not an inbound message', () => {
		expect(() => buildOutcomeRequest({ route: item.route }, parameters)).toThrow(InteractionInputError);
	});
});

const node: INode = {
	id: 'node-1',
	name: 'Record outcome',
	type: 'n8n-nodes-skybot.skyBot',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** An execution context with per-item parameters, a credential, and an HTTP helper answering `answer(index)`. */
function context(
	parametersOf: (index: number) => Record<string, unknown>,
	answer: (index: number) => { statusCode: number; body: unknown },
	continueOnFail: boolean,
) {
	const sent: IHttpRequestOptions[] = [];
	const fake = {
		getNode: () => ({ ...node, onError: continueOnFail ? 'continueRegularOutput' : undefined }),
		continueOnFail: () => continueOnFail,
		getExecutionContext: () => ({ establishedAt: Date.now() - 500 }),
		getNodeParameter: (name: string, index: number, fallback?: unknown) => parametersOf(index)[name] ?? fallback,
		getCredentials: async () => ({ baseUrl: 'https://hub.example', apiKey: 'k', webhookSecret: 'secret-of-the-hub' }),
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				const reply = answer(sent.length);
				sent.push(options);
				return { ...reply, headers: {} };
			},
		},
	};
	return { fake: fake as unknown as IExecuteFunctions, sent };
}

const recorded = { interactionId: 'i', status: 'replied', reason: null, executionId: 'e', duplicate: false, quotaRefunded: false };
const operationParameters = { status: 'replied', reason: '', accountId: parameters.accountId, agentId: parameters.agentId, executionId: '7', workflowId: 'wf' };

describe('SkyBot › Pipeline › Record Outcome', () => {
	it('sends one signed request per item and adds the answer as `outcome`', async () => {
		const { fake, sent } = context(() => operationParameters, () => ({ statusCode: 201, body: recorded }), false);
		const output = await execute.call(fake, [{ json: item }]);

		expect(sent).toHaveLength(1);
		expect(sent[0]!.url).toBe('https://hub.example/api/webhooks/n8n/outcome');
		const [t, v1] = String(sent[0]!.headers![EXECUTION_SIGNATURE_HEADER]).split(',').map((part) => part.split('=')[1]);
		expect(v1).toBe(createHmac('sha256', 'secret-of-the-hub').update(`${t}.${String(sent[0]!.body)}`).digest('hex'));
		expect(JSON.parse(String(sent[0]!.body))).toMatchObject({ status: 'replied', executionId: '7', message: { messageId: 'mid.1' } });
		expect(output).toEqual([{ json: { ...item, outcome: recorded }, pairedItem: { item: 0 } }]);
	});

	it('never loses an item it could not record: with continue on fail it goes on with the error, the others are recorded', async () => {
		const items: INodeExecutionData[] = [{ json: item }, { json: { ...item, messageId: 'mid.2' } }, { json: { text: 'not a message' } }];
		const { fake, sent } = context(
			() => operationParameters,
			(index) => (index === 0 ? { statusCode: 503, body: { error: { code: 'quota_store_unavailable', message: 'Quota store is unavailable' } } } : { statusCode: 201, body: recorded }),
			true,
		);
		const output = await execute.call(fake, items);

		expect(sent).toHaveLength(2);
		expect(output).toHaveLength(3);
		expect(output[0]!.json).toMatchObject({ messageId: 'mid.1', error: { message: 'Quota store is unavailable' } });
		expect(output[1]!.json).toMatchObject({ messageId: 'mid.2', outcome: recorded });
		expect(output[2]!.json).toMatchObject({ text: 'not a message', error: { message: expect.stringMatching(/not a SkyBot inbound message/) } });
		expect(output.map((entry) => entry.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('stops on a failure without continue on fail, and refuses an unknown status before sending', async () => {
		const failing = context(() => operationParameters, () => ({ statusCode: 401, body: { error: { code: 'invalid_signature', message: 'no' } } }), false);
		await expect(execute.call(failing.fake, [{ json: item }])).rejects.toThrow('no');

		const unknown = context(() => ({ ...operationParameters, status: 'sent' }), () => ({ statusCode: 201, body: recorded }), false);
		await expect(execute.call(unknown.fake, [{ json: item }])).rejects.toThrow(/Unknown outcome status "sent"/);
		expect(unknown.sent).toHaveLength(0);
	});
});
