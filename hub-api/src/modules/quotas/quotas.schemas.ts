import { z } from 'zod';
import { type ConsumeQuotaRequest, type ConsumeQuotaResponse, PLAN_IDS } from '../../../../contracts/hub-api';
import type { Expect, MatchesContract } from '../../contract-check';

export const consumeQuotaBody = z.object({
	messageId: z.string().min(1).max(512),
	conversationId: z.string().min(1).max(512),
	accountId: z.uuid().optional(),
});

export type ConsumeQuotaBodyMatchesContract = Expect<MatchesContract<typeof consumeQuotaBody, ConsumeQuotaRequest>>;

/** What POST /api/quotas/consume answers, read by the SkyBot node's checkPlan operation. */
export const consumeQuotaAnswer = z.object({
	allowed: z.boolean(),
	limit: z.number().int().nullable(),
	remaining: z.number().int().nullable(),
	used: z.number().int(),
	resetAt: z.iso.datetime(),
	plan: z.enum(PLAN_IDS),
	duplicate: z.boolean(),
	previousAllowedAt: z.iso.datetime().nullable(),
	lastReplyAt: z.iso.datetime().nullable(),
	refunded: z.boolean(),
});

/** The documented answer and the wire contract the nodes read must not drift apart. */
export type ConsumeQuotaAnswerMatchesContract = Expect<MatchesContract<typeof consumeQuotaAnswer, ConsumeQuotaResponse>>;
