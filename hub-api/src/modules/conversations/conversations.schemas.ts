import { z } from 'zod';
import {
	CONVERSATION_HANDLERS,
	type ConversationHandlerQuery,
	type ConversationHandlerResponse,
	HANDLER_CHANGE_REASONS,
	INTERACTION_STATUSES,
	LEAD_TEMPERATURES,
} from '../../../../contracts/hub-api';
import { MESSAGE_KINDS, PROVIDERS } from '../../../../contracts/inbound-message';
import type { Expect, MatchesContract } from '../../contract-check';
import { cursorPage } from '../../cursor-page';

const accountId = z.uuid().optional();
const page = {
	limit: z.coerce.number().int().min(1).max(100).default(50),
	cursor: z.string().min(1).max(200).optional(),
};

export const listConversationsQuery = z
	.object({ accountId, handler: z.enum(CONVERSATION_HANDLERS).optional(), ...page })
	.strip();
export type ListConversationsQuery = z.output<typeof listConversationsQuery>;

export const conversationParams = z.object({ id: z.uuid() });
export const listMessagesQuery = z.object({ accountId, ...page }).strip();
/**
 * GET /:id's query, and the body of POST …/handover and …/release: nothing to say but, with a platform key, the
 * account.
 */
export const accountScope = z.object({ accountId }).strip();

export const conversationHandlerQuery = z
	.object({ accountId, provider: z.enum(PROVIDERS), conversationId: z.string().min(1).max(512) })
	.strip();
export type ConversationHandlerQueryMatchesContract = Expect<
	MatchesContract<typeof conversationHandlerQuery, ConversationHandlerQuery>
>;

export const conversationHandlerAnswer = z.object({
	handler: z.enum(CONVERSATION_HANDLERS),
	id: z.uuid().nullable(),
});
/** The documented answer and the wire contract the pipeline will read must not drift apart. */
export type ConversationHandlerAnswerMatchesContract = Expect<
	MatchesContract<typeof conversationHandlerAnswer, ConversationHandlerResponse>
>;

/** A conversation as listed (the OpenAPI component `Conversation`). */
export const conversationView = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	provider: z.enum(PROVIDERS),
	conversationId: z.string().describe("The provider's id of the conversation"),
	contact: z.object({ externalId: z.string(), name: z.string().nullable() }),
	handler: z.enum(CONVERSATION_HANDLERS),
	handlerVersion: z.number().int().describe('How many times the handler changed; live events carry it as `version`'),
	handlerChange: z
		.object({
			at: z.iso.datetime(),
			reason: z.enum(HANDLER_CHANGE_REASONS),
			by: z
				.object({ userId: z.uuid().nullable(), apiKeyId: z.uuid().nullable() })
				.describe('A person or an API key; both null: the hub (idle release), or since deleted'),
		})
		.nullable()
		.describe('The last change of handler; null while the AI has always had it'),
	idleReleaseAt: z.iso
		.datetime()
		.nullable()
		.describe('While a person has it: when it goes back to the AI if nothing happens (HANDOVER_IDLE_RELEASE)'),
	lastMessage: z
		.object({
			interactionId: z.uuid(),
			kind: z.enum(MESSAGE_KINDS),
			status: z.enum(INTERACTION_STATUSES),
			text: z.string().nullable(),
			reply: z.object({ text: z.string(), at: z.iso.datetime() }).nullable(),
			at: z.iso.datetime(),
		})
		.nullable(),
	lead: z
		.object({
			id: z.uuid(),
			name: z.string().nullable(),
			handle: z.string().nullable(),
			phone: z.string().nullable(),
			temperature: z.enum(LEAD_TEMPERATURES).nullable(),
			summary: z.string().nullable(),
		})
		.nullable(),
	lastMessageAt: z.iso.datetime().nullable(),
	lastActivityAt: z.iso.datetime(),
	createdAt: z.iso.datetime(),
	updatedAt: z.iso.datetime(),
});
export type ConversationView = z.output<typeof conversationView>;

export const conversationPage = cursorPage('conversations', conversationView);
export type ConversationPage = z.output<typeof conversationPage>;

/** POST …/handover and …/release: the conversation as it now is; `changed: false` when it already was so. */
export const handlerChangeAnswer = z.object({ conversation: conversationView, changed: z.boolean() });
export type HandlerChangeAnswer = z.output<typeof handlerChangeAnswer>;

/** One message the contact sent, with the reply the AI sent to it (the OpenAPI component `ConversationMessage`). */
export const conversationMessage = z.object({
	id: z.uuid().describe('The interaction that logged it'),
	messageId: z.string(),
	kind: z.enum(MESSAGE_KINDS),
	text: z.string().nullable(),
	contactName: z.string().nullable(),
	at: z.iso.datetime(),
	status: z.enum(INTERACTION_STATUSES),
	reason: z.string().nullable(),
	reply: z
		.object({ text: z.string(), externalId: z.string().nullable(), at: z.iso.datetime() })
		.nullable()
		.describe('Only a reply that was sent (status replied)'),
});
export type ConversationMessage = z.output<typeof conversationMessage>;

export const messagePage = cursorPage('messages', conversationMessage);
export type MessagePage = z.output<typeof messagePage>;
