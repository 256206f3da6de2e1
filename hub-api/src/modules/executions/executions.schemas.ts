import { z } from 'zod';
import {
	AGENT_LOG_LEVELS,
	EXECUTION_STATUSES,
	type ExecutionReportRequest,
	type ExecutionReportResponse,
} from '../../../../contracts/hub-api';
import { PROVIDERS } from '../../../../contracts/inbound-message';
import type { Expect, MatchesContract } from '../../contract-check';

const id = z.string().min(1).max(512);
const count = z.number().int().nonnegative().max(100_000_000);

/** Log lines a workflow adds to the agent's log. */
export const agentLogLines = z
	.array(
		z.object({
			level: z.enum(AGENT_LOG_LEVELS),
			message: z.string().min(1).max(4_000),
			metadata: z.record(z.string(), z.unknown()).optional(),
		}),
	)
	.max(50);

/** When n8n started the execution and how long it took: what analytics' response times are made of. */
export const executionTiming = {
	executionId: z.string().min(1).max(200),
	workflowId: z.string().min(1).max(200).optional(),
	startedAt: z.iso.datetime({ offset: true }),
	// Up to the integer column's limit (~24 days): a retried execution counts from its original start.
	latencyMs: z.number().int().nonnegative().max(2_147_483_647).nullable().optional(),
};

/** Extra fields are stripped: a report can never set anything but what is listed here. */
export const executionReportBody = z
	.object({
		accountId: z.uuid(),
		agentId: z.uuid(),
		...executionTiming,
		status: z.enum(EXECUTION_STATUSES),
		model: z.string().min(1).max(200).optional(),
		promptTokens: count.optional(),
		completionTokens: count.optional(),
		costUsd: z.number().nonnegative().max(1_000_000).optional(),
		provider: z.enum(PROVIDERS).optional(),
		messageId: id.optional(),
		conversationId: id.optional(),
		contactId: id.optional(),
		reason: z.string().min(1).max(200).optional(),
		error: z.object({ message: z.string().max(4_000), code: z.string().min(1).max(200).optional() }).optional(),
		logs: agentLogLines.optional(),
	})
	.strip();

export type ExecutionReportBodyMatchesContract = Expect<
	MatchesContract<typeof executionReportBody, ExecutionReportRequest>
>;

/** What the execution webhook answers: 201 for a new report, 200 for one it already recorded. */
export const reportRecorded = z.object({ id: z.uuid(), duplicate: z.literal(false) });
export const reportAlreadyRecorded = z.object({ id: z.uuid(), duplicate: z.literal(true) });

/** Both documented answers together are the wire contract the SkyBot node reads. */
export type ExecutionReportAnswersMatchContract = Expect<
	MatchesContract<z.ZodUnion<[typeof reportRecorded, typeof reportAlreadyRecorded]>, ExecutionReportResponse>
>;
