import { buildExecutionReport, ExecutionReportInputError } from '../../../nodes/SkyBot/helpers/execution-report';

const item = {
	provider: 'instagram',
	kind: 'dm',
	messageId: 'mid.1',
	accountExternalId: '1784',
	conversationId: 'instagram:1784:igsid-42',
	contact: { externalId: 'igsid-42', name: 'Lea' },
	timestamp: '2026-03-10T08:59:58.000Z',
	route: { accountId: 'a', agentId: 'g' },
	ai: { text: 'Bonjour !', model: 'gpt-4o-mini', promptTokens: 120, completionTokens: 30, costUsd: 0.000036 },
};

const parameters = {
	status: 'success' as const,
	accountId: '11111111-1111-4111-8111-111111111111',
	agentId: '22222222-2222-4222-8222-222222222222',
	executionId: '981',
	workflowId: 'wf1',
	startedAtMs: Date.parse('2026-03-10T09:00:00.000Z'),
	nowMs: Date.parse('2026-03-10T09:00:01.250Z'),
};

describe('buildExecutionReport', () => {
	it('takes tokens and cost from the AI step, conversation and contact from the InboundMessage', () => {
		expect(buildExecutionReport(item, parameters)).toEqual({
			accountId: parameters.accountId,
			agentId: parameters.agentId,
			executionId: '981',
			workflowId: 'wf1',
			status: 'success',
			startedAt: '2026-03-10T09:00:00.000Z',
			latencyMs: 1250,
			model: 'gpt-4o-mini',
			promptTokens: 120,
			completionTokens: 30,
			costUsd: 0.000036,
			provider: 'instagram',
			messageId: 'mid.1',
			conversationId: 'instagram:1784:igsid-42',
			contactId: 'igsid-42',
		});
	});

	it('reports the error a failed step left, with the reason', () => {
		const failed = { ...item, ai: undefined, error: { message: 'Graph API 500', code: 'graph_api_error', httpStatus: 502 } };
		expect(buildExecutionReport(failed, { ...parameters, status: 'error', reason: 'send_failed' })).toMatchObject({
			status: 'error',
			reason: 'send_failed',
			error: { message: 'Graph API 500', code: 'graph_api_error' },
		});
	});

	it('sends a null latency (not a guess) when n8n gave no start time, and leaves out what the item lacks', () => {
		const report = buildExecutionReport({}, { ...parameters, startedAtMs: undefined });
		expect(report.latencyMs).toBeNull();
		expect(report.startedAt).toBe('2026-03-10T09:00:01.250Z');
		expect(Object.keys(report).sort()).toEqual(
			['accountId', 'agentId', 'executionId', 'latencyMs', 'startedAt', 'status', 'workflowId'].sort(),
		);
	});

	it('drops malformed token counts and costs instead of sending them', () => {
		const report = buildExecutionReport(
			{ ai: { promptTokens: -3, completionTokens: 1.5, costUsd: 'lots' } },
			parameters,
		);
		expect(report).not.toHaveProperty('promptTokens');
		expect(report).not.toHaveProperty('completionTokens');
		expect(report).not.toHaveProperty('costUsd');
	});

	it.each([
		['no agent (provider account not linked)', { agentId: '' }, /agentId/],
		['no account', { accountId: '' }, /accountId/],
		['an unknown status', { status: 'done' as never }, /Unknown execution status/],
	])('refuses %s', (_case, override, message) => {
		expect(() => buildExecutionReport(item, { ...parameters, ...override })).toThrow(ExecutionReportInputError);
		expect(() => buildExecutionReport(item, { ...parameters, ...override })).toThrow(message);
	});
});
