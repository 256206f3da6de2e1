import {
	EXECUTION_STATUS_OF_OUTCOME,
	type InteractionStatus,
	type RecordOutcomeRequest,
	type RecordOutcomeResponse,
} from '../../../../contracts/hub-api';
import type { Clock } from '../../clock';
import { notFound } from '../../errors';
import type { AnswerCache } from '../ai-limits/answer-cache';
import { executionLogs, type ExecutionsService, toExecutionRecord } from '../executions/executions.service';
import type { ExecutionsRepository } from '../executions/executions.repository';
import { type InteractionsService, toInteractionRecord } from '../interactions/interactions.service';
import type { QuotasService } from '../quotas/quotas.service';
import { toE164 } from '../leads/lead-phone';
import type { LeadsService } from '../leads/leads.service';
import type { OutcomesRepository } from './outcomes.repository';

/**
 * Outcomes whose DM was not answered after its unit may have been consumed (the AI or the send failed): the unit is
 * given back. A skipped or quota_exceeded message consumed nothing (v2 consumes after every skip rule).
 */
const REFUNDED_STATUSES = new Set<InteractionStatus>(['failed']);

/**
 * POST /api/webhooks/n8n/outcome: what happened to one message, recorded once. The interaction (GET
 * /api/interactions, conversations) and the execution report (analytics, the live `agent:execution` event) are the
 * same rows the two older routes write, stored together.
 */
export class OutcomesService {
	constructor(
		private readonly repository: OutcomesRepository,
		private readonly executionsRepository: Pick<ExecutionsRepository, 'agentBelongsTo'>,
		private readonly executions: Pick<ExecutionsService, 'published'>,
		private readonly interactions: Pick<InteractionsService, 'messageLogged'>,
		private readonly quotas: Pick<QuotasService, 'refund' | 'replied'>,
		private readonly clock: Clock,
		private readonly answers: { cache: Pick<AnswerCache, 'put'>; ttlSeconds: number },
		private readonly leads: Pick<LeadsService, 'upsert'>,
	) {}

	async record(outcome: RecordOutcomeRequest): Promise<RecordOutcomeResponse> {
		const { accountId, agentId, message } = outcome;
		if (agentId ? !(await this.executionsRepository.agentBelongsTo(agentId, accountId)) : !(await this.repository.accountExists(accountId))) {
			throw notFound(agentId ? 'agent' : 'account');
		}
		const report = agentId
			? {
					accountId,
					agentId,
					executionId: outcome.executionId,
					workflowId: outcome.workflowId,
					status: EXECUTION_STATUS_OF_OUTCOME[outcome.status],
					startedAt: outcome.startedAt,
					latencyMs: outcome.latencyMs,
					model: outcome.reply?.model,
					promptTokens: outcome.reply?.promptTokens,
					completionTokens: outcome.reply?.completionTokens,
					costUsd: outcome.reply?.costUsd,
					provider: message.provider,
					messageId: message.messageId,
					conversationId: message.conversationId,
					contactId: message.contact.externalId,
					reason: outcome.reason,
					error: outcome.error && { message: outcome.error.message, code: outcome.error.code },
					logs: outcome.logs,
				}
			: null;
		// A reply from the answer cache: no model call (its tokens and cost are 0, the schema holds it to that), and
		// the call it replaced cost what the cached answer cost, which analytics sums as cost saved.
		const cache = outcome.reply?.cache;
		const costSavedUsd = cache?.hit ? cache.costSavedUsd : null;
		const savings = { cacheHit: costSavedUsd !== null };
		const execution = report && {
			record: { ...toExecutionRecord(report), ...savings, costSavedUsd: costSavedUsd ?? 0 },
			logs: executionLogs(report),
		};
		const stored = await this.repository.record(
			{ ...toInteractionRecord(accountId, outcome), ...savings, costSavedUsd },
			execution,
			this.clock(),
		);
		if (stored.stored && execution && stored.executionId) this.executions.published(stored.executionId, execution.record);
		await this.interactions.messageLogged(stored.row);
		// After the commit, on every outcome, repeats included: the refund is idempotent, so an outcome stored while
		// Redis was down (503 below) gives the unit back when n8n retries it. Decided on the stored outcome, so a
		// failure that a reply already superseded gives nothing back.
		const quotaRefunded = REFUNDED_STATUSES.has(stored.row.status)
			? await this.quotas.refund(accountId, stored.row.messageId)
			: false;
		// Anti-flood counts replies sent: the stored reply's time (the same on a repeat, so a repeat moves nothing).
		if (stored.row.status === 'replied') {
			await this.quotas.replied(accountId, stored.row.conversationId, stored.row.updatedAt);
		}
		await this.cacheAnswer(outcome, stored.row.status);
		// A scenario's ai_qualify: the prospect's temperature (and the phone they gave) into their lead, idempotently
		// (the lead's upsert keeps the newest message's facts).
		if (outcome.qualification) await this.qualified(outcome, outcome.qualification);
		return {
			interactionId: stored.row.id,
			status: stored.row.status,
			reason: stored.row.reason,
			executionId: stored.executionId,
			duplicate: !stored.stored,
			quotaRefunded,
		};
	}

	/**
	 * A reply the model wrote after a cache miss, that went out (replied, as stored), becomes the cached answer for its
	 * key. After the commit and on repeats too: the write is SET NX, so a repeat changes nothing, and an outcome that
	 * answered 503 (Redis down for the quota part above) fills the cache when n8n retries it. Never throws
	 * (AnswerCache.put): the cache cannot fail an outcome. A reply without its model is not cached: an entry names the
	 * model its answer came from.
	 */
	private async cacheAnswer(outcome: RecordOutcomeRequest, storedStatus: InteractionStatus): Promise<void> {
		const { reply } = outcome;
		if (!reply?.cache || reply.cache.hit || outcome.status !== 'replied' || storedStatus !== 'replied') return;
		if (!reply.model || !reply.text) return;
		await this.answers.cache.put(
			outcome.accountId,
			reply.cache.key,
			{
				text: reply.text,
				model: reply.model,
				promptTokens: reply.promptTokens ?? 0,
				completionTokens: reply.completionTokens ?? 0,
				costUsd: reply.costUsd ?? 0,
				storedAt: this.clock().toISOString(),
			},
			this.answers.ttlSeconds,
		);
	}

	private async qualified(outcome: RecordOutcomeRequest, qualification: NonNullable<RecordOutcomeRequest['qualification']>) {
		const { message } = outcome;
		const phone = qualification.phone ? toE164(qualification.phone) : undefined;
		await this.leads.upsert(outcome.accountId, {
			agentId: outcome.agentId,
			provider: message.provider,
			contact: { externalId: message.contact.externalId, name: message.contact.name, handle: message.contact.handle, phone },
			accountExternalId: message.accountExternalId,
			conversationId: message.conversationId,
			temperature: qualification.temperature,
			summary: qualification.reason,
			lastMessageAt: message.timestamp,
			lastMessageText: message.text,
		});
	}
}
