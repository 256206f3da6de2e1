import type { InteractionStatus, RecordOutcomeRequest } from '../../../contracts/hub-api';
import { asNumber, asString, isRecord, type JsonRecord } from '../../shared/json';
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
	if (reply) {
		const cache = answerCacheOf(item);
		request.reply = cache ? { ...reply, cache } : reply;
	}
	if (error) request.error = error;
	const qualification = qualificationOf(item);
	if (qualification) request.qualification = qualification;
	return request;
}

/**
 * The answer cache's part in the reply, from SkyBot Scenario's admission: a cached answer sent (hit: what it saved), or
 * the key the model's answer is to be stored under (miss). None when the hub did not consult the cache.
 */
function answerCacheOf(item: JsonRecord): NonNullable<RecordOutcomeRequest['reply']>['cache'] | undefined {
	const admission = isRecord(item.admission) ? item.admission : undefined;
	if (!admission) return undefined;
	const known = isRecord(admission.reply) ? admission.reply : undefined;
	const hitKey = known?.source === 'cache' ? asString(known.cacheKey) : undefined;
	if (hitKey) return { key: hitKey, hit: true, costSavedUsd: asNumber(known!.costSavedUsd) ?? 0 };
	const missKey = isRecord(admission.ai) ? asString(admission.ai.cacheKey) : undefined;
	return missKey ? { key: missKey, hit: false } : undefined;
}

/** The SkyBot AI reply's qualification (a scenario's ai_qualify), for the hub to record in the lead. */
function qualificationOf(item: JsonRecord): RecordOutcomeRequest['qualification'] {
	const ai = isRecord(item.ai) ? item.ai : undefined;
	const qualification = ai && isRecord(ai.qualification) ? ai.qualification : undefined;
	const temperature = qualification && asString(qualification.temperature);
	if (!qualification || (temperature !== 'hot' && temperature !== 'warm' && temperature !== 'cold')) return undefined;
	const reason = asString(qualification.reason);
	return { temperature, ...(reason ? { reason } : {}), phone: asString(qualification.phone) ?? null };
}
