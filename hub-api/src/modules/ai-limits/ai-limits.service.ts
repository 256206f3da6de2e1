import type { AiContextRequest, AiContextResponse, AiPermitResponse, ChatMessage, PlanId } from '../../../../contracts/hub-api';
import { HubError } from '../../errors';
import type { Account } from '../accounts/account.entity';
import { PLANS } from '../quotas/plans';
import type { AiContextRepository, HistoryRow } from './ai-context.repository';
import type { AiPermits } from './ai-permits';
import { chatTokenCounter, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE } from './tokenizer';

export const DEFAULT_CONTEXT_MODEL = 'gpt-4o-mini';
export const DEFAULT_MAX_TOKENS = 4000;
/** The most turns one context reads: far more than 4000 tokens hold (each turn costs at least 5). */
export const MAX_HISTORY_TURNS = 1000;

/** The request with its defaults applied (the schema's output). */
export type ContextRequest = Omit<AiContextRequest, 'accountId' | 'maxTokens' | 'model'> & {
	maxTokens: number;
	model: string;
	/**
	 * The pipeline's burst: the messages being answered together, oldest first (the current message's text is then
	 * not used on its own), never trimmed, and left out of the history with `excludeMessageIds`.
	 */
	current?: string[];
	excludeMessageIds?: string[];
};

/** One earlier turn: what the contact wrote, and the reply that went out to it (either may be absent). */
function turnOf(row: HistoryRow): ChatMessage[] {
	const turn: ChatMessage[] = [];
	if (row.inboundText) turn.push({ role: 'user', content: row.inboundText });
	// Only a reply that was sent: a failed row keeps the model's text, but the contact never read it.
	if (row.status === 'replied' && row.replyText) turn.push({ role: 'assistant', content: row.replyText });
	return turn;
}

/**
 * The AI limits the reply step asks the hub about before each model call: a permit of the account's per-minute
 * budget, and the conversation so far trimmed to the token budget.
 */
export class AiLimitsService {
	constructor(
		private readonly permits: AiPermits,
		private readonly history: AiContextRepository,
		/** AI_REQUESTS_PER_MINUTE: overrides of the plans' own limits. */
		private readonly perMinuteOverrides: Partial<Record<PlanId, number>> = {},
	) {}

	async takePermit(account: Pick<Account, 'id' | 'plan'>): Promise<AiPermitResponse> {
		const limit = this.perMinuteOverrides[account.plan] ?? PLANS[account.plan].aiRequestsPerMinute;
		const outcome = await this.permits.take(account.id, limit).catch((error: unknown) => {
			// Fail closed: this limit guards model spend, and the same Redis holds the DM quota, so a hub that cannot
			// count permits could not have let the message this far anyway (see docs/ai-limits.md).
			throw new HubError(503, 'ai_limiter_unavailable', 'AI rate limiter is unavailable, retry later', undefined, error);
		});
		// The window is Redis's TTL, real time: resetAt is read against the wall clock, not the hub's clock.
		return {
			allowed: outcome.allowed,
			limit,
			remaining: outcome.remaining,
			retryAfterMs: outcome.allowed ? 0 : outcome.msBeforeNext,
			resetAt: new Date(Date.now() + outcome.msBeforeNext).toISOString(),
			plan: account.plan,
		};
	}

	/**
	 * System prompt and current message always; then earlier turns newest first while they fit, so what is trimmed is
	 * the oldest. A turn goes whole or not at all (never a reply without the message it answers), and the first that
	 * does not fit ends the history: the context is the conversation's latest stretch, without gaps.
	 */
	async context(accountId: string, request: ContextRequest): Promise<AiContextResponse> {
		const counter = await chatTokenCounter(request.model);
		const systemPrompt = request.systemPrompt ? counter.message('system', request.systemPrompt) : 0;
		const currentTexts = request.current?.length ? request.current : [request.message.text];
		const current = currentTexts.reduce((sum, text) => sum + counter.message('user', text), 0);
		const fixed = REPLY_PRIMING_TOKENS + systemPrompt + current;
		let budget = request.maxTokens - fixed;
		const rows = await this.history.latest({
			accountId,
			provider: request.provider,
			conversationId: request.conversationId,
			excludeMessageIds: request.excludeMessageIds ?? (request.message.id === undefined ? [] : [request.message.id]),
			// Every turn costs at least TOKENS_PER_MESSAGE + 2 (a role and one token of text): one more turn than could
			// fit tells whether anything older was left out (with no budget left, one row says whether there is any).
			limit: Math.min(MAX_HISTORY_TURNS, Math.max(0, Math.floor(budget / (TOKENS_PER_MESSAGE + 2))) + 1),
		});
		const included: ChatMessage[][] = [];
		let history = 0;
		let truncated = false;
		for (const row of rows) {
			const turn = turnOf(row);
			const cost = turn.reduce((sum, message) => sum + counter.message(message.role, message.content), 0);
			if (cost > budget) {
				truncated = true;
				break;
			}
			included.push(turn);
			history += cost;
			budget -= cost;
		}
		return {
			messages: [...included.reverse().flat(), ...currentTexts.map((content) => ({ role: 'user' as const, content }))],
			model: request.model,
			encoding: counter.encoding,
			maxTokens: request.maxTokens,
			tokens: { systemPrompt, history, current, total: fixed + history },
			history: { included: included.length },
			truncated,
			overBudget: fixed > request.maxTokens,
		};
	}
}
