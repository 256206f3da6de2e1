import { z } from 'zod';
import {
	INTERACTION_STATUSES,
	LEAD_TEMPERATURES,
	type RecordOutcomeRequest,
	type RecordOutcomeResponse,
} from '../../../../contracts/hub-api';
import type { Expect, MatchesContract } from '../../contract-check';
import { agentLogLines, executionTiming } from '../executions/executions.schemas';
import { inboundMessage, interactionError, interactionReply } from '../interactions/interactions.schemas';

const count = z.number().int().nonnegative().max(100_000_000);
const cost = z.number().nonnegative().lt(1_000_000);

/** A key AnswerCache.keyOf made: a sha256 in hex. */
const answerCacheKey = z.string().regex(/^[0-9a-f]{64}$/, 'must be an answer cache key (64 lower-case hex digits)');

/** The answer cache's part in the reply (contracts: OutcomeReplyCache); a hit says what the model call would have cost. */
export const outcomeReplyCache = z.discriminatedUnion('hit', [
	z.object({ key: answerCacheKey, hit: z.literal(false) }).strip(),
	z.object({ key: answerCacheKey, hit: z.literal(true), costSavedUsd: cost }).strip(),
]);

/** A reply served from the cache made no model call: tokens and cost other than 0 would count a call twice. */
const CACHED_REPLY_SPENDS_NOTHING = ['promptTokens', 'completionTokens', 'costUsd'] as const;

/**
 * The message's outcome: the interaction's fields and the execution report's, each once. The reply's tokens and cost
 * go into both rows, so they are held to what both columns take (the cost column holds less than a million).
 * Extra fields are stripped, as on the execution report.
 */
export const recordOutcomeBody = z
	.object({
		accountId: z.uuid(),
		agentId: z.uuid().nullable(),
		...executionTiming,
		status: z.enum(INTERACTION_STATUSES),
		reason: z.string().min(1).max(200).optional(),
		message: inboundMessage,
		reply: interactionReply
			.extend({
				promptTokens: count.optional(),
				completionTokens: count.optional(),
				costUsd: cost.optional(),
				cache: outcomeReplyCache.optional(),
			})
			.superRefine((reply, context) => {
				if (reply.cache?.hit !== true) return;
				for (const field of CACHED_REPLY_SPENDS_NOTHING) {
					if (reply[field]) {
						context.addIssue({
							code: 'custom',
							path: [field],
							message: 'must be 0 or absent: a reply from the answer cache made no model call (see cache.costSavedUsd)',
						});
					}
				}
			})
			.optional(),
		error: interactionError.optional(),
		logs: agentLogLines.optional(),
		qualification: z
			.object({
				temperature: z.enum(LEAD_TEMPERATURES),
				reason: z.string().max(500).optional(),
				// Kept only when it is a valid number (E.164 once read): a model's guess never lands as a phone.
				phone: z.string().max(64).nullable().optional(),
			})
			.strip()
			.optional(),
	})
	.strip();

export type RecordOutcomeBodyMatchesContract = Expect<MatchesContract<typeof recordOutcomeBody, RecordOutcomeRequest>>;

const recorded = {
	interactionId: z.uuid(),
	status: z.enum(INTERACTION_STATUSES),
	reason: z.string().nullable(),
	executionId: z.uuid().nullable(),
	quotaRefunded: z.boolean(),
};
/** 201: this outcome was stored; 200: the stored outcome already says as much, nothing was stored. */
export const outcomeRecorded = z.object({ ...recorded, duplicate: z.literal(false) });
export const outcomeAlreadyRecorded = z.object({ ...recorded, duplicate: z.literal(true) });

export type OutcomeAnswersMatchContract = Expect<
	MatchesContract<z.ZodUnion<[typeof outcomeRecorded, typeof outcomeAlreadyRecorded]>, RecordOutcomeResponse>
>;
