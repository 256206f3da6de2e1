import type { InteractionStatus, RecordOutcomeRequest } from '../../../contracts/hub-api';
import type { JsonRecord } from '../../shared/json';
import { buildInteractionRequest } from './interaction';

export class OutcomeInputError extends Error {}

export interface OutcomeParameters {
	status: InteractionStatus;
	reason?: string;
	accountId: string;
	/** Empty or null: the provider account is linked to no agent (the hub stores the interaction alone). */
	agentId?: string | null;
	executionId: string;
	workflowId?: string;
	/** When the execution started (ms since epoch), or undefined when n8n did not say. */
	startedAtMs?: number;
	nowMs: number;
}

/**
 * Builds POST /api/webhooks/n8n/outcome from an enriched pipeline item: what Log Interaction sends (the InboundMessage,
 * the `ai` reply with the `delivery` id, the `error` a failed step left) and what Report Execution adds (n8n's
 * execution and workflow ids, when the execution started and how long it took), each once.
 */
export function buildOutcomeRequest(item: JsonRecord, parameters: OutcomeParameters): RecordOutcomeRequest {
	const missing = (['accountId', 'executionId'] as const).filter((name) => !parameters[name]);
	if (missing.length) {
		throw new OutcomeInputError(
			`Cannot record the outcome without ${missing.join(', ')} (is the provider account routed to a tenant?)`,
		);
	}
	// Throws InteractionInputError for an item that is not an InboundMessage, or an unknown status.
	const { message, reply, error } = buildInteractionRequest(item, { status: parameters.status });
	const startedAtMs = parameters.startedAtMs ?? parameters.nowMs;
	const request: RecordOutcomeRequest = {
		accountId: parameters.accountId,
		agentId: parameters.agentId ? parameters.agentId : null,
		executionId: parameters.executionId,
		startedAt: new Date(startedAtMs).toISOString(),
		latencyMs: parameters.startedAtMs === undefined ? null : Math.max(0, Math.round(parameters.nowMs - startedAtMs)),
		status: parameters.status,
		message,
	};
	if (parameters.workflowId) request.workflowId = parameters.workflowId;
	if (parameters.reason) request.reason = parameters.reason;
	if (reply) request.reply = reply;
	if (error) request.error = error;
	return request;
}
