import { z } from 'zod';
import {
	INTERACTION_STATUSES,
	type InteractionResponse,
	type LogInteractionRequest,
} from '../../../../contracts/hub-api';
import { MESSAGE_KINDS, PROVIDERS } from '../../../../contracts/inbound-message';
import type { Expect, MatchesContract } from '../../contract-check';
import { cursorPage } from '../../cursor-page';

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
	/** Meta allows 1000 characters of button payload; WhatsApp ids are shorter. */
	postback: z.object({ payload: z.string().min(1).max(2_000), title: shortText.optional() }).optional(),
	comment: z.object({ postId: id.optional(), parentId: id.optional() }).optional(),
});

/** The AI's reply a logged message carries (sent or not), with what it cost. */
export const interactionReply = z.object({
	text: z.string().max(20_000),
	model: z.string().min(1).max(200).optional(),
	promptTokens: z.number().int().nonnegative().optional(),
	completionTokens: z.number().int().nonnegative().optional(),
	costUsd: z.number().nonnegative().max(1_000_000).optional(),
	externalId: id.optional(),
});

/** The error a failed step left. */
export const interactionError = z.object({
	message: z.string().max(4_000),
	code: z.string().min(1).max(200).optional(),
	httpStatus: z.number().int().min(100).max(599).optional(),
});

export const logInteractionBody = z.object({
	/** Required with a platform key, ignored with an account key. */
	accountId: z.uuid().optional(),
	agentId: z.uuid().nullable().optional(),
	status: z.enum(INTERACTION_STATUSES),
	reason: z.string().min(1).max(200).optional(),
	message: inboundMessage,
	reply: interactionReply.optional(),
	error: interactionError.optional(),
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

/** What POST /api/interactions answers (the OpenAPI component `LoggedInteraction`), read by the SkyBot node. */
export const loggedInteraction = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	agentId: z.uuid().nullable(),
	provider: z.enum(PROVIDERS),
	messageId: z.string(),
	conversationId: z.string(),
	status: z.enum(INTERACTION_STATUSES),
	reason: z.string().nullable(),
	createdAt: z.iso.datetime(),
	duplicate: z.boolean(),
});

/** The documented answer and the wire contract the SkyBot node reads must not drift apart. */
export type LoggedInteractionMatchesContract = Expect<MatchesContract<typeof loggedInteraction, InteractionResponse>>;

/** A row as listed to the tenant (the OpenAPI component `Interaction`); `InteractionView` is derived from it. */
export const interactionView = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	agentId: z.uuid().nullable(),
	provider: z.enum(PROVIDERS),
	kind: z.enum(MESSAGE_KINDS),
	messageId: z.string(),
	conversationId: z.string(),
	contact: z.object({ externalId: z.string(), name: z.string().nullable() }),
	inboundText: z.string().nullable(),
	status: z.enum(INTERACTION_STATUSES),
	reason: z.string().nullable(),
	reply: z
		.object({
			text: z.string(),
			externalId: z.string().nullable(),
			model: z.string().nullable(),
			promptTokens: z.number().int().nullable(),
			completionTokens: z.number().int().nullable(),
			costUsd: z.number().nullable(),
		})
		.nullable(),
	error: z.object({ message: z.string(), code: z.string().nullable(), httpStatus: z.number().int().nullable() }).nullable(),
	messageTimestamp: z.iso.datetime(),
	createdAt: z.iso.datetime(),
	updatedAt: z.iso.datetime(),
});
export type InteractionView = z.output<typeof interactionView>;

export const interactionPage = cursorPage('interactions', interactionView);
export type InteractionPage = z.output<typeof interactionPage>;
