import { z } from 'zod';
import {
	type AiContextRequest,
	type AiContextResponse,
	type AiPermitRequest,
	type AiPermitResponse,
	CHAT_ROLES,
	PLAN_IDS,
	TOKEN_ENCODINGS,
} from '../../../../contracts/hub-api';
import { PROVIDERS } from '../../../../contracts/inbound-message';
import type { Expect, MatchesContract } from '../../contract-check';
import { DEFAULT_CONTEXT_MODEL, DEFAULT_MAX_TOKENS } from './ai-limits.service';

const accountId = z.uuid().optional().describe('Required with a platform key; ignored with an account key');

/** Strict: the body has one optional field, so a body of anything else is a caller's mistake, not an empty request. */
export const aiPermitBody = z.strictObject({ accountId });
export type AiPermitBodyMatchesContract = Expect<MatchesContract<typeof aiPermitBody, AiPermitRequest>>;

export const aiPermitAnswer = z.object({
	allowed: z.boolean(),
	limit: z.number().int().positive().describe("Model requests per minute the account's plan allows"),
	remaining: z.number().int().nonnegative(),
	retryAfterMs: z.number().int().nonnegative().describe('0 when allowed; otherwise wait this long before asking again'),
	resetAt: z.iso.datetime().describe('When the current one-minute window ends'),
	plan: z.enum(PLAN_IDS),
});
export type AiPermitAnswerMatchesContract = Expect<MatchesContract<typeof aiPermitAnswer, AiPermitResponse>>;

/** A DM is at most a few thousand characters; a system prompt is the agent's (agents cap it well below this). */
const MAX_TEXT = 100_000;

export const aiContextBody = z.object({
	provider: z.enum(PROVIDERS),
	conversationId: z.string().min(1).max(512).describe("The provider's id of the conversation"),
	message: z
		.object({
			text: z.string().min(1).max(MAX_TEXT),
			id: z.string().min(1).max(512).optional().describe("The message's provider id, when it may be logged already"),
		})
		.describe('The message being answered: always the last of the answer, never trimmed'),
	systemPrompt: z.string().max(MAX_TEXT).optional().describe('Counted against the budget, not returned'),
	maxTokens: z.number().int().min(1).max(128_000).default(DEFAULT_MAX_TOKENS),
	model: z
		.string()
		.min(1)
		.max(200)
		.default(DEFAULT_CONTEXT_MODEL)
		.describe('Chooses the tokenizer; a family the hub does not know is counted with o200k_base'),
	accountId,
});
export type AiContextBodyMatchesContract = Expect<MatchesContract<typeof aiContextBody, AiContextRequest>>;

export const chatMessage = z.object({ role: z.enum(CHAT_ROLES), content: z.string() });

export const aiContextAnswer = z.object({
	messages: z.array(chatMessage).min(1).describe('Oldest first; the last is the current message'),
	model: z.string(),
	encoding: z.enum(TOKEN_ENCODINGS),
	maxTokens: z.number().int(),
	tokens: z
		.object({
			systemPrompt: z.number().int().nonnegative(),
			history: z.number().int().nonnegative(),
			current: z.number().int().positive(),
			total: z.number().int().positive(),
		})
		.describe('Prompt tokens as OpenAI counts a chat: content, role and 3 framing tokens a message, 3 priming the reply'),
	history: z.object({ included: z.number().int().nonnegative().describe('Earlier turns included') }),
	truncated: z.boolean().describe('Older turns were left out to fit'),
	overBudget: z.boolean().describe('The system prompt and the current message alone exceed maxTokens'),
});
export type AiContextAnswerMatchesContract = Expect<MatchesContract<typeof aiContextAnswer, AiContextResponse>>;
