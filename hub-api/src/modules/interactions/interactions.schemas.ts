import { z } from 'zod';
import { INTERACTION_STATUSES, type LogInteractionRequest } from '../../../../contracts/hub-api';
import { MESSAGE_KINDS, PROVIDERS } from '../../../../contracts/inbound-message';
import type { Expect, MatchesContract } from '../../contract-check';

const id = z.string().min(1).max(512);
const shortText = z.string().max(500);

export const inboundMessage = z.object({
	provider: z.enum(PROVIDERS),
	kind: z.enum(MESSAGE_KINDS),
	messageId: id,
	accountExternalId: id,
	conversationId: id,
	contact: z.object({
		externalId: id,
		name: shortText.optional(),
		handle: shortText.optional(),
		phone: shortText.optional(),
	}),
	text: z.string().max(20_000).optional(),
	attachments: z
		.array(z.object({ type: z.string().min(1).max(100), url: z.string().max(4_000).optional() }))
		.max(50)
		.optional(),
	timestamp: z.iso.datetime({ offset: true }),
	isEcho: z.boolean().optional(),
});

export const logInteractionBody = z.object({
	/** Required with a platform key, ignored with an account key. */
	accountId: z.uuid().optional(),
	agentId: z.uuid().nullable().optional(),
	status: z.enum(INTERACTION_STATUSES),
	reason: z.string().min(1).max(200).optional(),
	message: inboundMessage,
	reply: z
		.object({
			text: z.string().max(20_000),
			model: z.string().min(1).max(200).optional(),
			promptTokens: z.number().int().nonnegative().optional(),
			completionTokens: z.number().int().nonnegative().optional(),
			costUsd: z.number().nonnegative().max(1_000_000).optional(),
			externalId: id.optional(),
		})
		.optional(),
	error: z
		.object({
			message: z.string().max(4_000),
			code: z.string().min(1).max(200).optional(),
			httpStatus: z.number().int().min(100).max(599).optional(),
		})
		.optional(),
});

export type LogInteractionBodyMatchesContract = Expect<
	MatchesContract<typeof logInteractionBody, LogInteractionRequest>
>;

export const listInteractionsQuery = z.object({
	accountId: z.uuid().optional(),
	status: z.enum(INTERACTION_STATUSES).optional(),
	limit: z.coerce.number().int().min(1).max(100).default(50),
	cursor: z.string().min(1).max(200).optional(),
});
