import {
	type AdmissionAction,
	type AdmissionAnswer,
	type AdmissionRequest,
	type AdmissionResponse,
	type AdmissionRoute,
	type AdmissionSkip,
	type AdmissionSkipReason,
	type ConfirmationRequest,
	type ConfirmationResponse,
	type ConfirmationSkipReason,
	type InteractionStatus,
} from '../../../../contracts/hub-api';
import { type InboundMessage, isAnswerable } from '../../../../contracts/inbound-message';
import { agentReplySystemPrompt, ESCALATION_MARKER, QUALIFICATION_INSTRUCTIONS } from '../../../../contracts/reply-prompt';
import type { Clock } from '../../clock';
import { HubError } from '../../errors';
import type { Logger } from 'pino';
import { type AiLimitsService, DEFAULT_CONTEXT_MODEL, DEFAULT_MAX_TOKENS } from '../ai-limits/ai-limits.service';
import type { AnswerCache } from '../ai-limits/answer-cache';
import type { ConversationsService } from '../conversations/conversations.service';
import type { OutcomesService } from '../outcomes/outcomes.service';
import type { QuotasService } from '../quotas/quotas.service';
import type { RoutingService } from '../routing/routing.service';
import type { BurstMessage, PipelineStore } from './pipeline-store';
import type { ScenarioChoice, ScenarioDecision, ScenarioSource } from './scenario-source';

type AnsweringDecision = Extract<ScenarioDecision, { action: AdmissionAction }>;

/**
 * How long after the customer's message a reply may go out. Meta: free-form replies within 24 h, a private reply to a
 * comment within 7 days. TikTok: DMs within 48 h of the user's last message (at most 10 of ours in that window: an
 * admitted message is the user's newest, so its reply is the first; the SkyBot Decision node applies the cap to later
 * sends), comment replies any time the comment stands (7 days here, as for Meta).
 */
/**
 * Where the provider caps a reply well below what a model writes unprompted, the model is told: TikTok comment
 * replies hold 150 characters (the TikTok node refuses a longer one rather than cut it).
 */
function replyLimitInstruction(message: Pick<InboundMessage, 'provider' | 'kind'>): string | null {
	return message.provider === 'tiktok' && message.kind === 'comment'
		? 'This reply is a public TikTok comment reply: at most 150 characters, emoji included.'
		: null;
}

const MESSAGING_WINDOW_MS = { reply: 24 * 3_600_000, tiktokReply: 48 * 3_600_000, comment: 7 * 24 * 3_600_000 };
/** How long a message may wait for a model-request permit before it is recorded `ai_rate_limited`. */
const MAX_PERMIT_WAIT_MS = 10_000;

const STATUS_OF_SKIP: Partial<Record<AdmissionSkipReason, InteractionStatus>> = {
	daily_dm_quota: 'quota_exceeded',
	ai_rate_limited: 'failed',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What deciding a message needs from the rest of the hub. */
export interface PipelineDependencies {
	routing: Pick<RoutingService, 'route'>;
	conversations: Pick<ConversationsService, 'handlerOf' | 'handOverFromPipeline'>;
	scenarios: ScenarioSource;
	quotas: Pick<QuotasService, 'consume' | 'lastReplyAt' | 'refund'>;
	aiLimits: Pick<AiLimitsService, 'takePermit' | 'context'>;
	outcomes: Pick<OutcomesService, 'record'>;
	/** The answer cache; `ttlSeconds` 0 turns it off (AI_ANSWER_CACHE_TTL). */
	answers: { cache: Pick<AnswerCache, 'keyOf' | 'get'>; ttlSeconds: number };
	store: PipelineStore;
	clock: Clock;
	logger: Logger;
}

/**
 * The inbound pipeline's decisions, in the hub (pipeline v2): everything that does not need the reply is decided
 * before the model, in one request per message (admit), and the one thing that can change while the model writes —
 * a person taking the conversation over — is checked right before sending (confirm). A skip is recorded by the
 * request that decided it, as the message's outcome; an answered message is recorded by SkyBot › Record Outcome.
 *
 * Quota = answered DMs: the unit is consumed last, once every skip rule has passed and right before the model call
 * (or the fixed reply); a skip after it (confirm) gives it back.
 */
export class PipelineService {
	constructor(private readonly deps: PipelineDependencies) {}

	async admit(request: AdmissionRequest): Promise<AdmissionResponse> {
		const { message } = request;
		if (!isAnswerable(message)) return { decision: 'skip', reason: 'not_answerable', route: null, interactionId: null };
		const found = await this.deps.routing.route(message.provider, message.accountExternalId);
		const route: AdmissionRoute = { accountId: found.accountId, agentId: found.agentId, plan: found.plan };
		const claimKey = `${message.provider}:${message.messageId}`;
		if (!(await this.orStoreUnavailable(() => this.deps.store.claim(route.accountId, claimKey)))) {
			return { decision: 'skip', reason: 'duplicate', route, interactionId: null };
		}
		try {
			const answer = found.active
				? await this.decide(request, route)
				: await this.skip(request, route, found.inactiveReason ?? 'agent_inactive');
			await this.deps.store.decided(route.accountId, claimKey);
			return answer;
		} catch (error) {
			// Nothing was decided: the claim goes, so n8n's retry of the failed execution (or a redelivery) decides again.
			await this.deps.store.release(route.accountId, claimKey).catch(() => undefined);
			throw error;
		}
	}

	/** Right before sending: is the reply still to be sent? A skip is recorded and gives the message's unit back. */
	async confirm(request: ConfirmationRequest): Promise<ConfirmationResponse> {
		const { message, reply } = request;
		const route = { accountId: request.accountId, agentId: request.agentId };
		const key = { accountId: route.accountId, provider: message.provider, conversationId: message.conversationId };
		let reason: ConfirmationSkipReason | null = null;
		if (reply.text.trim() === '') reason = 'empty_reply';
		else if (reply.text.trim() === ESCALATION_MARKER) reason = 'ai_escalated';
		else if ((await this.deps.conversations.handlerOf(key)).handler === 'human') reason = 'human_handling';
		if (reason === null) return { decision: 'send' };

		const recorded = await this.deps.outcomes.record({
			...route,
			...this.timing(request),
			status: 'skipped',
			reason,
			message,
			// The model's text is kept (not sent) so a person sees what the AI would have said.
			reply: reason === 'empty_reply' ? undefined : { ...reply },
		});
		if (reason === 'ai_escalated') await this.deps.conversations.handOverFromPipeline(key);
		const quotaRefunded = await this.deps.quotas.refund(route.accountId, message.messageId);
		return { decision: 'skip', reason, interactionId: recorded.interactionId, quotaRefunded };
	}

	private async decide(request: AdmissionRequest, route: AdmissionRoute): Promise<AdmissionResponse> {
		const { message } = request;
		const now = this.deps.clock();
		const windowMs =
			message.kind === 'comment'
				? MESSAGING_WINDOW_MS.comment
				: message.provider === 'tiktok'
					? MESSAGING_WINDOW_MS.tiktokReply
					: MESSAGING_WINDOW_MS.reply;
		if (now.getTime() - Date.parse(message.timestamp) > windowMs) {
			return await this.skip(request, route, 'outside_messaging_window');
		}
		const conversation = { accountId: route.accountId, provider: message.provider, conversationId: message.conversationId };
		if ((await this.deps.conversations.handlerOf(conversation)).handler === 'human') {
			return await this.skip(request, route, 'human_handling');
		}

		const choice = await this.deps.scenarios.choose(route, message, now);
		const { decision, settings } = choice;
		if (decision.action === 'handover') {
			// Recorded first: the conversation exists from its first recorded message, and the handover needs its row.
			const skipped = await this.skip(request, route, 'handed_over');
			await this.deps.conversations.handOverFromPipeline(conversation);
			return skipped;
		}
		if (decision.action === 'no_reply') return await this.skip(request, route, 'scenario_no_reply');
		// An image without a caption, a sticker: nothing for the model to read (a fixed reply may still answer it).
		if (decision.action !== 'fixed_reply' && textOf(message).trim() === '') {
			return await this.skip(request, route, 'empty_message');
		}

		// Anti-flood counts replies sent (the outcome of a reply moves it), not messages seen.
		const lastReplyAt = await this.orStoreUnavailable(() =>
			this.deps.quotas.lastReplyAt(route.accountId, message.conversationId),
		);
		if (lastReplyAt && now.getTime() - lastReplyAt.getTime() < settings.floodWindowMinutes * 60_000) {
			return await this.skip(request, route, 'anti_flood');
		}

		let burst: BurstMessage[] = [{ id: message.messageId, text: textOf(message), at: message.timestamp }];
		if (settings.burstWindowSeconds > 0) {
			const conversationKey = `${message.provider}:${message.conversationId}`;
			const joined = await this.orStoreUnavailable(() =>
				this.deps.store.joinBurst(route.accountId, conversationKey, burst[0]!, settings.burstWindowSeconds * 1000),
			);
			if (joined === null) return await this.skip(request, route, 'burst_merged');
			burst = joined;
		}

		const answer = await this.prepare(route, message, burst, { ...choice, decision });
		if (answer.ai && !(await this.permitted(route))) return await this.skip(request, route, 'ai_rate_limited');

		const quota = await this.deps.quotas.consume({ id: route.accountId, plan: route.plan }, message.messageId, message.conversationId);
		if (!quota.allowed) return await this.skip(request, route, 'daily_dm_quota');
		return {
			decision: 'answer',
			route,
			...answer,
			quota: { used: quota.used, limit: quota.limit, remaining: quota.remaining, resetAt: quota.resetAt },
			burst: { messageIds: burst.map(({ id }) => id).filter((id) => id !== message.messageId) },
		};
	}

	/**
	 * The fixed reply, or what the model needs: the agent's prompt, the conversation so far within the token budget, and
	 * the burst's messages (this one among them) as the messages being answered, each its own user message.
	 */
	private async prepare(
		route: AdmissionRoute,
		message: InboundMessage,
		burst: BurstMessage[],
		{ decision, settings, version }: ScenarioChoice & { decision: AnsweringDecision },
	): Promise<Pick<AdmissionAnswer, 'action' | 'scenario' | 'reply' | 'ai'>> {
		const scenario = { ruleId: decision.ruleId, version };
		if (decision.action === 'fixed_reply') {
			return { action: 'fixed_reply', scenario, reply: { source: 'fixed', text: decision.text } };
		}
		const action: AdmissionAction = decision.action;
		const qualifying = action === 'ai_qualify';
		const replyPrompt = agentReplySystemPrompt({
			companyName: settings.companyName,
			prompt: settings.prompt,
			context: settings.context,
			language: settings.language,
			instructions: decision.instructions,
			escalation: true,
		});
		const limit = replyLimitInstruction(message);
		const limited = limit ? `${replyPrompt}\n\n${limit}` : replyPrompt;
		const systemPrompt = qualifying ? `${limited}\n\n${QUALIFICATION_INSTRUCTIONS}` : limited;
		const context = await this.deps.aiLimits.context(route.accountId, {
			provider: message.provider,
			conversationId: message.conversationId,
			message: { text: textOf(message), id: message.messageId },
			current: burst.map(({ text }) => text).filter((text) => text.trim() !== ''),
			excludeMessageIds: burst.map(({ id }) => id),
			systemPrompt,
			maxTokens: DEFAULT_MAX_TOKENS,
			model: DEFAULT_CONTEXT_MODEL,
		});
		const messages = [{ role: 'system' as const, content: systemPrompt }, ...context.messages];
		const { cache, ttlSeconds } = this.deps.answers;
		const answerFormat = qualifying ? ('qualification' as const) : ('text' as const);
		// A qualification is about this prospect: never answered from another contact's cached answer.
		if (ttlSeconds === 0 || !route.agentId || qualifying) {
			return { action, scenario, ai: { messages, promptTokens: context.tokens.total, truncated: context.truncated, answerFormat } };
		}
		// Identical question, same agent scenario version and conversation so far: the answer stored is the answer.
		const current = context.messages.length - burst.filter(({ text }) => text.trim() !== '').length;
		const cacheKey = cache.keyOf({
			agentId: route.agentId,
			agentVersion: version,
			text: context.messages.slice(current).map(({ content }) => content).join('\n'),
			context: context.messages.slice(0, current),
			model: DEFAULT_CONTEXT_MODEL,
			instructions: systemPrompt,
		});
		const cached = await cache.get(route.accountId, cacheKey);
		if (cached) {
			return { action, scenario, reply: { source: 'cache', text: cached.text, model: cached.model, costSavedUsd: cached.costUsd, cacheKey } };
		}
		return {
			action,
			scenario,
			ai: { messages, promptTokens: context.tokens.total, truncated: context.truncated, cacheKey, answerFormat },
		};
	}

	/** A permit of the account's model requests per minute, waiting for one up to MAX_PERMIT_WAIT_MS. */
	private async permitted(route: AdmissionRoute): Promise<boolean> {
		let waited = 0;
		for (;;) {
			const permit = await this.deps.aiLimits.takePermit({ id: route.accountId, plan: route.plan });
			if (permit.allowed) return true;
			if (waited + permit.retryAfterMs > MAX_PERMIT_WAIT_MS) return false;
			await sleep(permit.retryAfterMs);
			waited += permit.retryAfterMs;
		}
	}

	/** Records the skip as the message's outcome (interaction and execution report) and answers it. */
	private async skip(request: AdmissionRequest, route: AdmissionRoute, reason: AdmissionSkipReason): Promise<AdmissionSkip> {
		const recorded = await this.deps.outcomes.record({
			accountId: route.accountId,
			agentId: route.agentId,
			...this.timing(request),
			status: STATUS_OF_SKIP[reason] ?? 'skipped',
			reason,
			message: request.message,
		});
		return { decision: 'skip', reason, route, interactionId: recorded.interactionId };
	}

	private timing(request: AdmissionRequest) {
		const latencyMs = Math.max(0, this.deps.clock().getTime() - Date.parse(request.startedAt));
		return { executionId: request.executionId, workflowId: request.workflowId, startedAt: request.startedAt, latencyMs };
	}

	/** A Redis answer the decision cannot go without: a 503 the node reports (n8n keeps the failed execution). */
	private async orStoreUnavailable<T>(read: () => Promise<T>): Promise<T> {
		try {
			return await read();
		} catch (error) {
			if (error instanceof HubError) throw error;
			this.deps.logger.warn({ err: error }, 'pipeline admission: Redis is unavailable');
			throw new HubError(503, 'pipeline_store_unavailable', 'The pipeline state store is unavailable, retry later', undefined, error);
		}
	}
}

/** What the model answers: the text, or for a button tap what the button said. */
export function textOf(message: InboundMessage): string {
	if (message.text?.trim()) return message.text;
	if (message.kind === 'postback') return message.postback?.title ?? message.postback?.payload ?? '';
	return '';
}
