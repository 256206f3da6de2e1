/**
 * Wire contract between the `SkyBot` n8n node (client) and the hub API (server) for the routes the inbound
 * pipeline calls. The hub's zod schemas are declared to satisfy these types, so a change on one side that the
 * other does not follow fails to compile. Plain types only: the node package stays free of runtime dependencies.
 */
import type { InboundMessage, Provider } from './inbound-message';

export const PLAN_IDS = ['freemium', 'premium', 'ultra'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

/** Every error the hub returns has this body, with an HTTP status of 4xx or 5xx. */
export interface HubErrorBody {
	error: { code: string; message: string; details?: unknown };
}

/** GET /api/auth/me with X-API-Key: who the key belongs to (used by the credential test). */
export interface WhoAmIResponse {
	apiKey: { id: string; name: string; prefix: string; scope: ApiKeyScope };
	account: { id: string; name: string; plan: PlanId } | null;
}

/** `platform` keys belong to the hub operator (the shared n8n pipeline); `account` keys to one tenant. */
export type ApiKeyScope = 'platform' | 'account';

/** Why a routed message must not be answered: its agent is switched off, or its account deactivated (billing). */
export const ROUTE_INACTIVE_REASONS = ['agent_inactive', 'account_deactivated'] as const;
export type RouteInactiveReason = (typeof ROUTE_INACTIVE_REASONS)[number];

/** GET /api/routing/:provider/:accountExternalId (platform key) → 200, or 404 `route_not_found`. */
export interface RouteResponse {
	provider: Provider;
	accountExternalId: string;
	accountId: string;
	agentId: string | null;
	plan: PlanId;
	/** false: the pipeline logs the message as skipped for `inactiveReason` and answers nothing. */
	active: boolean;
	inactiveReason: RouteInactiveReason | null;
}

/**
 * POST /api/quotas/consume. Idempotent per (account, messageId): a repeated call returns the first answer with
 * `duplicate: true` and consumes nothing. `accountId` is required with a platform key and ignored with an
 * account key (the key's own account is used).
 */
export interface ConsumeQuotaRequest {
	messageId: string;
	conversationId: string;
	accountId?: string;
}

export interface ConsumeQuotaResponse {
	allowed: boolean;
	/** null when the plan is unlimited. */
	limit: number | null;
	remaining: number | null;
	used: number;
	/** ISO 8601: when today's counter starts again (next UTC midnight). */
	resetAt: string;
	plan: PlanId;
	duplicate: boolean;
	/**
	 * ISO 8601 time the previous message of this conversation was allowed through, before this one, or null.
	 * Recorded atomically with the consume, so two messages of one conversation arriving together never both
	 * look like the first: the SkyBot Decision node's anti-flood rule reads it.
	 */
	previousAllowedAt: string | null;
	/**
	 * ISO 8601 time a reply was last sent in this conversation (recorded by a `replied` outcome on
	 * POST /api/webhooks/n8n/outcome), or null: what anti-flood should count, so skipped or failed messages never
	 * restart its window. Read atomically with the consume; a duplicate answers the value of the first consume.
	 */
	lastReplyAt: string | null;
	/**
	 * The unit this message consumed was given back: its outcome said it was not answered (AI or send failed). A
	 * redelivery then answers `duplicate: true, refunded: true` and consumes nothing again.
	 */
	refunded: boolean;
}

export const LEAD_TEMPERATURES = ['hot', 'warm', 'cold'] as const;
export type LeadTemperature = (typeof LEAD_TEMPERATURES)[number];

/**
 * Where a lead's follow-up sequence stands since the lead's last message (a lead with none recorded since has
 * `followUp: null`, and a newer message from the lead clears it): `sent` the last follow-up went out; `skipped` or
 * `failed` the last attempt did not (`reason` says why; the sequence tries again while the window is open);
 * `window_closed` the provider's messaging window (24 hours after the lead's last message on Meta) closed before the
 * sequence ended, so nothing more is sent until the lead writes again.
 */
export const FOLLOW_UP_STATUSES = ['sent', 'skipped', 'failed', 'window_closed'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];
/** What POST /api/leads `followUp` records: a follow-up not sent. One sent is recorded by `contacted: true`. */
export const FOLLOW_UP_NOT_SENT_STATUSES = ['skipped', 'failed', 'window_closed'] as const;
export type FollowUpNotSentStatus = (typeof FOLLOW_UP_NOT_SENT_STATUSES)[number];
/**
 * GET /api/leads?followUp= with a sequence (`followUpAfterHours`): `due` the leads owed one of its follow-ups now,
 * inside the messaging window; `window_closed` the leads whose window closed before the sequence ended and that are
 * not recorded `window_closed` yet.
 */
export const FOLLOW_UP_SELECTIONS = ['due', 'window_closed'] as const;
export type FollowUpSelection = (typeof FOLLOW_UP_SELECTIONS)[number];

/**
 * POST /api/leads: upsert of one prospect, keyed by (account, provider, contact.externalId). Idempotent: later facts
 * fill in, an absent or null field never erases a known value, temperature / summary / last message text from an
 * older message never replace those of a newer one. `contacted: true` records a follow-up we sent now (sets
 * lastContactedAt, adds one to followUpCount, followUp.status `sent`: send it once per follow-up, it counts every
 * time); `followUp` records one that was not sent.
 * `accountId`: required with a platform key, ignored with an account key.
 */
export interface UpsertLeadRequest {
	accountId?: string;
	agentId?: string | null;
	provider: Provider;
	/**
	 * `phone`: a valid number in E.164 (+33612345678), or in national form with `phoneCountry` (ISO 3166-1 alpha-2:
	 * "06 12 34 56 78" with "FR"); stored in E.164. One that is not a valid number is refused (422 naming it).
	 */
	contact: {
		externalId: string;
		name?: string | null;
		handle?: string | null;
		phone?: string | null;
		phoneCountry?: string;
	};
	/** The provider account (page id, IG account id, phone_number_id) the contact talks to: what a follow-up sends from. */
	accountExternalId?: string | null;
	conversationId?: string | null;
	temperature?: LeadTemperature | null;
	summary?: string | null;
	/** ISO 8601: when the contact's message was sent. */
	lastMessageAt?: string | null;
	lastMessageText?: string | null;
	contacted?: boolean;
	/**
	 * A follow-up that was not sent, and why (e.g. `{status: 'failed', reason: 'send_failed'}`); not with
	 * `contacted`. Like temperature, ignored when `lastMessageAt` is older than the lead's: it was about a window the
	 * lead's newer message replaced.
	 */
	followUp?: { status: FollowUpNotSentStatus; reason?: string | null };
}

/** A lead as the hub returns it (POST /api/leads, GET /api/leads, GET /api/leads/:id). */
export interface LeadResponse {
	id: string;
	accountId: string;
	agentId: string | null;
	provider: Provider;
	accountExternalId: string | null;
	conversationId: string | null;
	contact: { externalId: string; name: string | null; handle: string | null; phone: string | null };
	temperature: LeadTemperature | null;
	summary: string | null;
	lastMessageText: string | null;
	firstSeenAt: string;
	lastMessageAt: string | null;
	lastContactedAt: string | null;
	/** The latest of firstSeenAt, lastMessageAt and lastContactedAt. */
	lastActivityAt: string;
	/** Whole days since lastActivityAt (what a follow-up says). */
	idleDays: number;
	followUpCount: number;
	/** The follow-up sequence since the lead's last message (see FOLLOW_UP_STATUSES); null when nothing was recorded. */
	followUp: { status: FollowUpStatus; reason: string | null; at: string } | null;
	createdAt: string;
	updatedAt: string;
}

/** GET /api/leads: newest activity first; pass `nextCursor` as `cursor` for the next page (null on the last). */
export interface ListLeadsResponse {
	leads: LeadResponse[];
	nextCursor: string | null;
}

export const INTERACTION_STATUSES = ['replied', 'skipped', 'quota_exceeded', 'failed', 'ignored'] as const;
export type InteractionStatus = (typeof INTERACTION_STATUSES)[number];

/**
 * POST /api/interactions. Idempotent per (account, provider, messageId): a repeat returns the stored row with
 * `duplicate: true`, except that a `failed` row is replaced by a later outcome (a retry that succeeded).
 */
export interface LogInteractionRequest {
	accountId?: string;
	agentId?: string | null;
	status: InteractionStatus;
	/** Machine-readable why, for skipped / failed / quota_exceeded (e.g. `anti_flood`, `graph_api_error`). */
	reason?: string;
	message: InboundMessage;
	reply?: {
		text: string;
		model?: string;
		promptTokens?: number;
		completionTokens?: number;
		costUsd?: number;
		/** The provider's id of the sent reply. */
		externalId?: string;
	};
	error?: { message: string; code?: string; httpStatus?: number };
}

export interface InteractionResponse {
	id: string;
	accountId: string;
	agentId: string | null;
	provider: Provider;
	messageId: string;
	conversationId: string;
	status: InteractionStatus;
	reason: string | null;
	createdAt: string;
	duplicate: boolean;
}

export const EXECUTION_STATUSES = ['success', 'error', 'skipped'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const AGENT_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type AgentLogLevel = (typeof AGENT_LOG_LEVELS)[number];

/** Header carrying the execution report's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const EXECUTION_SIGNATURE_HEADER = 'x-skybot-signature';

/**
 * POST /api/webhooks/n8n/execution: what one workflow execution did for one message, signed with the shared
 * webhook secret (SKYBOT_WEBHOOK_SECRET on the hub, `webhookSecret` on the skyBotHubApi credential). Idempotent per
 * (account, n8n execution id, message id): one execution of a batched delivery reports each of its messages once.
 */
export interface ExecutionReportRequest {
	accountId: string;
	agentId: string;
	/** n8n's execution id (`$execution.id`). */
	executionId: string;
	/** n8n's workflow id, when known. */
	workflowId?: string;
	status: ExecutionStatus;
	/** ISO 8601: when the execution started (the trigger fired). */
	startedAt: string;
	/** Milliseconds from the trigger to the report; null when the start time is unknown. */
	latencyMs?: number | null;
	model?: string;
	promptTokens?: number;
	completionTokens?: number;
	costUsd?: number;
	provider?: Provider;
	messageId?: string;
	conversationId?: string;
	contactId?: string;
	/** Machine-readable why, for skipped / error (e.g. anti_flood, send_failed). */
	reason?: string;
	error?: { message: string; code?: string };
	logs?: { level: AgentLogLevel; message: string; metadata?: Record<string, unknown> }[];
}

export interface ExecutionReportResponse {
	id: string;
	duplicate: boolean;
}

/** How an outcome's status counts as an execution in analytics: replied is a success, failed an error, the rest skipped. */
export const EXECUTION_STATUS_OF_OUTCOME: Record<InteractionStatus, ExecutionStatus> = {
	replied: 'success',
	failed: 'error',
	skipped: 'skipped',
	quota_exceeded: 'skipped',
	ignored: 'skipped',
};

/**
 * POST /api/webhooks/n8n/outcome: the one record a message ends with, what Log Interaction and Report Execution
 * carried together, stored in one transaction (the interaction, the execution report and its log lines). Signed like
 * the execution report (X-SkyBot-Signature over the raw body). Idempotent per (account, provider, messageId): an
 * outcome the stored one already says as much as (a repeat, a redelivery skipped as a duplicate) is answered 200
 * `duplicate: true` and stores nothing; a failed message retried with success is recorded again (201).
 */
export interface RecordOutcomeRequest {
	accountId: string;
	/** null when the provider account is linked to no agent: the interaction is stored, no execution report. */
	agentId: string | null;
	/** n8n's execution id (`$execution.id`). */
	executionId: string;
	workflowId?: string;
	/** ISO 8601: when the execution started (the trigger fired). */
	startedAt: string;
	/** Milliseconds from the trigger to the outcome; null when the start time is unknown. */
	latencyMs?: number | null;
	status: InteractionStatus;
	/** Machine-readable why, for skipped / failed / quota_exceeded (e.g. anti_flood, ai_failed, send_failed). */
	reason?: string;
	message: InboundMessage;
	/** The AI's reply (sent or not) with its model, tokens and cost, which the execution report counts. */
	reply?: LogInteractionRequest['reply'] & {
		/** How the reply used the answer cache; absent when the cache was not consulted (off, or no AI reply). */
		cache?: OutcomeReplyCache;
	};
	error?: LogInteractionRequest['error'];
	logs?: ExecutionReportRequest['logs'];
	/** A scenario's ai_qualify: what the model said of the prospect; the hub records it in the contact's lead. */
	qualification?: { temperature: LeadTemperature; reason?: string; phone?: string | null };
}

/**
 * The answer cache's part in a reply (docs/ai-limits.md#the-answer-cache). `key` is the cache key the admission
 * looked up. A miss (`hit: false`): the model wrote the reply; a `replied` outcome stores it under `key` (reply text,
 * model, tokens, cost) for AI_ANSWER_CACHE_TTL. A hit: the reply is the cached answer, no model call was made, so the
 * reply's own tokens and cost are 0 (or absent) and `costSavedUsd` is the cached answer's `costUsd`, which analytics
 * reports as cost saved.
 */
export type OutcomeReplyCache = { key: string; hit: false } | { key: string; hit: true; costSavedUsd: number };

export interface RecordOutcomeResponse {
	/** The message's interaction (GET /api/interactions), as now stored: a duplicate answers the stored outcome. */
	interactionId: string;
	status: InteractionStatus;
	reason: string | null;
	/** The execution report this outcome stored (or, for a repeat of the same execution, stored before); else null. */
	executionId: string | null;
	duplicate: boolean;
	/**
	 * The unit the message consumed has been given back (by this outcome or an earlier one): the stored outcome is
	 * `failed`, so the DM was not answered. False when nothing was consumed or the message was answered.
	 */
	quotaRefunded: boolean;
}

/** Who answers a conversation: the AI (the pipeline) or a person who took it over in the provider's inbox. */
export const CONVERSATION_HANDLERS = ['ai', 'human'] as const;
export type ConversationHandler = (typeof CONVERSATION_HANDLERS)[number];
/** Why a conversation's handler last changed: a person took it over, handed it back, or the handover went idle. */
export const HANDLER_CHANGE_REASONS = ['handover', 'release', 'idle'] as const;
export type HandlerChangeReason = (typeof HANDLER_CHANGE_REASONS)[number];

/**
 * GET /api/conversations/handler?provider=&conversationId= (`accountId` too with a platform key): read by the pipeline
 * right before it sends, so no AI message goes out once a person took the conversation over. A conversation the hub
 * does not know yet is the AI's (`id: null`); a handover idle for longer than HANDOVER_IDLE_RELEASE is the AI's again.
 */
export interface ConversationHandlerQuery {
	provider: Provider;
	conversationId: string;
	accountId?: string;
}

export interface ConversationHandlerResponse {
	handler: ConversationHandler;
	/** The hub's id of the conversation (for /api/conversations/:id/…), null when it has no row yet. */
	id: string | null;
}

/**
 * POST /api/ai/permits: one model request of the account's per-minute budget (its plan's `aiRequestsPerMinute`, 60
 * by default), counted in Redis and shared by every n8n worker and hub replica. Call it right before each model
 * call; `allowed: false` means wait `retryAfterMs` (or record the message `ai_rate_limited`), never drop it.
 * `accountId` is required with a platform key and ignored with an account key.
 */
export interface AiPermitRequest {
	accountId?: string;
}

export interface AiPermitResponse {
	allowed: boolean;
	/** Model requests per minute the plan allows. */
	limit: number;
	/** Permits left in the current window after this one. */
	remaining: number;
	/** 0 when allowed; otherwise how long until the window frees a permit (at least 1). */
	retryAfterMs: number;
	/** ISO 8601: when the current one-minute window ends. */
	resetAt: string;
	plan: PlanId;
}

export const CHAT_ROLES = ['user', 'assistant'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export interface ChatMessage {
	role: ChatRole;
	content: string;
}

/**
 * POST /api/ai/context: the conversation so far for the reply step, as chat messages ending with the current message,
 * trimmed oldest-first so that system prompt + messages fit `maxTokens` (4000 by default) counted with the model
 * family's tokenizer. The current message is never dropped or cut: when it does not fit even alone, the answer says
 * `overBudget: true`. `accountId` is required with a platform key and ignored with an account key.
 */
export interface AiContextRequest {
	provider: Provider;
	conversationId: string;
	/** The message being answered. */
	message: {
		text: string;
		/** Its provider id: a row of it already logged (a redelivery, a burst) is not repeated in the history. */
		id?: string;
	};
	/** Counted against the budget, not returned (the reply step sends its own). */
	systemPrompt?: string;
	maxTokens?: number;
	/** Chooses the tokenizer (gpt-4o-mini by default); an unknown family is counted with o200k_base. */
	model?: string;
	accountId?: string;
}

/** The tokenizers the hub counts with: o200k_base (gpt-4o, gpt-4.1, gpt-5, o-series, and unknown models), cl100k_base (gpt-4, gpt-3.5). */
export const TOKEN_ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
export type TokenEncoding = (typeof TOKEN_ENCODINGS)[number];

export interface AiContextResponse {
	/** Oldest first; the last one is the current message (role user). */
	messages: ChatMessage[];
	model: string;
	/** The tokenizer used. */
	encoding: TokenEncoding;
	maxTokens: number;
	/** Prompt tokens as OpenAI counts a chat: each message's content and role plus its framing, plus the reply priming. */
	tokens: { systemPrompt: number; history: number; current: number; total: number };
	/** Earlier turns (a message of the contact and the reply to it) included. */
	history: { included: number };
	/** Older turns were left out to fit the budget. */
	truncated: boolean;
	/** The system prompt and the current message alone exceed the budget (nothing else is included). */
	overBudget: boolean;
}

/**
 * Why the pipeline (v2) does not answer a message, in the order the admission checks them. `not_answerable` and
 * `duplicate` are not recorded (a receipt or an echo is nobody's interaction; the first delivery of a duplicate records
 * its own outcome); every other one is recorded as the message's outcome by the request that decided it.
 */
export const ADMISSION_SKIP_REASONS = [
	'not_answerable',
	'duplicate',
	'agent_inactive',
	'account_deactivated',
	'outside_messaging_window',
	'human_handling',
	'handed_over',
	'scenario_no_reply',
	'empty_message',
	'anti_flood',
	'burst_merged',
	'ai_rate_limited',
	'daily_dm_quota',
] as const;
export type AdmissionSkipReason = (typeof ADMISSION_SKIP_REASONS)[number];

/** What the SkyBot Scenario node's Decide sends for every inbound message, signed like the outcome. */
export interface AdmissionRequest {
	message: InboundMessage;
	/** n8n's execution and workflow ids and when the execution started: what a skip's execution report carries. */
	executionId: string;
	workflowId?: string;
	startedAt: string;
}

/** What the answer step does: send a fixed text, or ask the model (reply, or reply and qualify the lead). */
export const ADMISSION_ACTIONS = ['fixed_reply', 'ai_reply', 'ai_qualify'] as const;
export type AdmissionAction = (typeof ADMISSION_ACTIONS)[number];

/** The routed tenant, as RouteResponse says it (the item keeps it as `route`). */
export type AdmissionRoute = Pick<RouteResponse, 'accountId' | 'agentId' | 'plan'>;

export interface AdmissionAnswer {
	decision: 'answer';
	route: AdmissionRoute;
	action: AdmissionAction;
	/** The scenario rule that chose the action, null for the scenario's default; and the scenario's version. */
	scenario: { ruleId: string | null; version: number };
	/**
	 * The reply already known, no model call: the scenario's fixed text (placeholders filled), or an answer the cache
	 * held for the same agent version, message and context (`source: 'cache'`, with what that answer had cost).
	 */
	reply?: { source: 'fixed' | 'cache'; text: string; model?: string; costSavedUsd?: number; cacheKey?: string };
	/** For the model call: the chat messages (system prompt, conversation so far trimmed to the token budget, current
	 * message(s)), the tokenizer's count, and the cache key its answer is stored under. */
	ai?: {
		messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
		promptTokens: number;
		truncated: boolean;
		cacheKey?: string;
		/** `qualification`: the answer is QUALIFICATION_INSTRUCTIONS' JSON (ai_qualify), not the reply's text. */
		answerFormat?: 'text' | 'qualification';
	};
	/** The unit this answer consumed of today's quota. */
	quota: Pick<ConsumeQuotaResponse, 'used' | 'limit' | 'remaining' | 'resetAt'>;
	/** Earlier messages of a burst this reply also answers (their own executions were skipped `burst_merged`). */
	burst: { messageIds: string[] };
}

export interface AdmissionSkip {
	decision: 'skip';
	reason: AdmissionSkipReason;
	/** Null for `not_answerable` and a route-less message. */
	route: AdmissionRoute | null;
	/** The interaction this skip was recorded as; null when not recorded (`not_answerable`, `duplicate`). */
	interactionId: string | null;
}

/** POST /api/webhooks/n8n/admission: the pipeline's decision before the model, in one signed request. */
export type AdmissionResponse = AdmissionAnswer | AdmissionSkip;

/** Why a reply the model wrote is not sent after all (the confirmation records it and gives the unit back). */
export const CONFIRMATION_SKIP_REASONS = ['empty_reply', 'human_handling', 'ai_escalated'] as const;
export type ConfirmationSkipReason = (typeof CONFIRMATION_SKIP_REASONS)[number];

/**
 * POST /api/webhooks/n8n/confirmation: the check right before sending. A person who took the conversation over while
 * the model was writing, an empty reply, or the model's escalation (ESCALATION_MARKER) → not sent.
 */
export interface ConfirmationRequest extends AdmissionRequest {
	accountId: string;
	agentId: string | null;
	reply: { text: string; model?: string; promptTokens?: number; completionTokens?: number; costUsd?: number };
}

export type ConfirmationResponse =
	| { decision: 'send' }
	| { decision: 'skip'; reason: ConfirmationSkipReason; interactionId: string; quotaRefunded: boolean };
