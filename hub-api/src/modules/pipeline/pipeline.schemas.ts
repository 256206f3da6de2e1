import { z } from 'zod';
import {
	ADMISSION_ACTIONS,
	ADMISSION_SKIP_REASONS,
	type AdmissionRequest,
	type AdmissionResponse,
	CONFIRMATION_SKIP_REASONS,
	type ConfirmationRequest,
	type ConfirmationResponse,
	PLAN_IDS,
} from '../../../../contracts/hub-api';
import type { Expect, MatchesContract } from '../../contract-check';
import { executionTiming } from '../executions/executions.schemas';
import { inboundMessage, interactionReply } from '../interactions/interactions.schemas';

const { executionId, workflowId, startedAt } = executionTiming;

/** SkyBot Scenario › Decide: the message and whose execution it is (a skip's execution report). Extra fields stripped. */
export const admissionBody = z.object({ message: inboundMessage, executionId, workflowId, startedAt }).strip();
export type AdmissionBodyMatchesContract = Expect<MatchesContract<typeof admissionBody, AdmissionRequest>>;

/** SkyBot Scenario › Confirm: the reply the model wrote, right before it is sent. */
export const confirmationBody = admissionBody
	.extend({ accountId: z.uuid(), agentId: z.uuid().nullable(), reply: interactionReply.omit({ externalId: true }) })
	.strip();
export type ConfirmationBodyMatchesContract = Expect<MatchesContract<typeof confirmationBody, ConfirmationRequest>>;

const route = z.object({ accountId: z.uuid(), agentId: z.uuid().nullable(), plan: z.enum(PLAN_IDS) });

export const admissionAnswered = z.object({
	decision: z.literal('answer'),
	route,
	action: z.enum(ADMISSION_ACTIONS),
	scenario: z.object({ ruleId: z.string().nullable(), version: z.number().int().nonnegative() }),
	reply: z
		.object({
			source: z.enum(['fixed', 'cache']),
			text: z.string(),
			model: z.string().optional(),
			costSavedUsd: z.number().nonnegative().optional(),
			cacheKey: z.string().optional(),
		})
		.optional(),
	ai: z
		.object({
			messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })),
			promptTokens: z.number().int().nonnegative(),
			truncated: z.boolean(),
			cacheKey: z.string().optional(),
			answerFormat: z.enum(['text', 'qualification']).optional(),
		})
		.optional(),
	quota: z.object({
		used: z.number().int(),
		limit: z.number().int().nullable(),
		remaining: z.number().int().nullable(),
		resetAt: z.iso.datetime(),
	}),
	burst: z.object({ messageIds: z.array(z.string()) }),
});

export const admissionSkipped = z.object({
	decision: z.literal('skip'),
	reason: z.enum(ADMISSION_SKIP_REASONS),
	route: route.nullable(),
	interactionId: z.uuid().nullable(),
});

export const admissionAnswer = z.discriminatedUnion('decision', [admissionAnswered, admissionSkipped]);
export type AdmissionAnswerMatchesContract = Expect<MatchesContract<typeof admissionAnswer, AdmissionResponse>>;

export const confirmationAnswer = z.discriminatedUnion('decision', [
	z.object({ decision: z.literal('send') }),
	z.object({
		decision: z.literal('skip'),
		reason: z.enum(CONFIRMATION_SKIP_REASONS),
		interactionId: z.uuid(),
		quotaRefunded: z.boolean(),
	}),
]);
export type ConfirmationAnswerMatchesContract = Expect<MatchesContract<typeof confirmationAnswer, ConfirmationResponse>>;
