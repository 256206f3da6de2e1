import {
	EXECUTION_STATUSES,
	type ExecutionReportRequest,
	type ExecutionStatus,
} from '../../../contracts/hub-api';
import { PROVIDERS, type Provider } from '../../../contracts/inbound-message';
import { asNumber, asString, isRecord, type JsonRecord } from '../../shared/json';

export class ExecutionReportInputError extends Error {}

export interface ExecutionReportParameters {
	status: ExecutionStatus;
	reason?: string;
	accountId: string;
	agentId: string;
	executionId: string;
	workflowId?: string;
	/** When the execution started (ms since epoch), or undefined when n8n did not say. */
	startedAtMs?: number;
	nowMs: number;
}

const nonNegativeInteger = (value: unknown) => {
	const number = asNumber(value);
	return number !== undefined && Number.isInteger(number) && number >= 0 ? number : undefined;
};

/**
 * Builds POST /api/webhooks/n8n/execution from an enriched pipeline item: tokens, cost and model from the `ai` step,
 * the conversation, contact and message from the InboundMessage fields, the error a failed step left in `error`.
 * Fields the item does not have are left out rather than guessed.
 */
export function buildExecutionReport(item: JsonRecord, parameters: ExecutionReportParameters): ExecutionReportRequest {
	if (!EXECUTION_STATUSES.includes(parameters.status)) {
		throw new ExecutionReportInputError(`Unknown execution status "${String(parameters.status)}"`);
	}
	const missing = (['accountId', 'agentId', 'executionId'] as const).filter((name) => !parameters[name]);
	if (missing.length) {
		throw new ExecutionReportInputError(
			`Cannot report the execution without ${missing.join(', ')} (is the provider account linked to an agent?)`,
		);
	}
	const startedAtMs = parameters.startedAtMs ?? parameters.nowMs;
	const report: ExecutionReportRequest = {
		accountId: parameters.accountId,
		agentId: parameters.agentId,
		executionId: parameters.executionId,
		status: parameters.status,
		startedAt: new Date(startedAtMs).toISOString(),
		latencyMs: parameters.startedAtMs === undefined ? null : Math.max(0, Math.round(parameters.nowMs - startedAtMs)),
	};
	if (parameters.workflowId) report.workflowId = parameters.workflowId;
	if (parameters.reason) report.reason = parameters.reason;

	const ai = isRecord(item.ai) ? item.ai : undefined;
	const model = asString(ai?.model);
	if (model) report.model = model;
	const promptTokens = nonNegativeInteger(ai?.promptTokens);
	if (promptTokens !== undefined) report.promptTokens = promptTokens;
	const completionTokens = nonNegativeInteger(ai?.completionTokens);
	if (completionTokens !== undefined) report.completionTokens = completionTokens;
	const costUsd = asNumber(ai?.costUsd);
	if (costUsd !== undefined && costUsd >= 0) report.costUsd = costUsd;

	if ((PROVIDERS as readonly unknown[]).includes(item.provider)) report.provider = item.provider as Provider;
	const messageId = asString(item.messageId);
	if (messageId) report.messageId = messageId;
	const conversationId = asString(item.conversationId);
	if (conversationId) report.conversationId = conversationId;
	const contactId = isRecord(item.contact) ? asString(item.contact.externalId) : undefined;
	if (contactId) report.contactId = contactId;

	if (isRecord(item.error)) {
		const error: NonNullable<ExecutionReportRequest['error']> = {
			message: asString(item.error.message) ?? 'Unknown error',
		};
		const code = asString(item.error.code);
		if (code) error.code = code;
		report.error = error;
	}
	return report;
}
