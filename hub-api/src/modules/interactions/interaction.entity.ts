import { columns, hubEntity } from '../../entity-schema';
import type { InteractionStatus } from '../../../../contracts/hub-api';
import type { MessageKind, Provider } from '../../../../contracts/inbound-message';

export interface Interaction {
	id: string;
	accountId: string;
	agentId: string | null;
	provider: Provider;
	kind: MessageKind;
	messageId: string;
	conversationId: string;
	contactExternalId: string;
	contactName: string | null;
	inboundText: string | null;
	status: InteractionStatus;
	reason: string | null;
	replyText: string | null;
	replyExternalId: string | null;
	model: string | null;
	promptTokens: number | null;
	completionTokens: number | null;
	costUsd: number | null;
	/** The reply came from the AI answer cache: no model call, and `costSavedUsd` is what that call cost before. */
	cacheHit: boolean;
	costSavedUsd: number | null;
	errorMessage: string | null;
	errorCode: string | null;
	errorHttpStatus: number | null;
	messageTimestamp: Date;
	createdAt: Date;
	updatedAt: Date;
}

/** pg returns numeric as a string to keep precision; costs are small enough for a JS number. */
const numericAsNumber = {
	to: (value: number | null) => value,
	from: (value: string | null) => (value === null ? null : Number(value)),
};

const { optionalText } = columns;

export const InteractionEntity = hubEntity<Interaction>({
	name: 'Interaction',
	tableName: 'interactions',
	columns: {
		accountId: columns.accountId,
		agentId: columns.agentId,
		provider: { type: 'text' },
		kind: { type: 'text' },
		messageId: { type: 'text', name: 'message_id' },
		conversationId: { type: 'text', name: 'conversation_id' },
		contactExternalId: { type: 'text', name: 'contact_external_id' },
		contactName: { ...optionalText, name: 'contact_name' },
		inboundText: { ...optionalText, name: 'inbound_text' },
		status: { type: 'text' },
		reason: optionalText,
		replyText: { ...optionalText, name: 'reply_text' },
		replyExternalId: { ...optionalText, name: 'reply_external_id' },
		model: optionalText,
		promptTokens: { type: 'integer', name: 'prompt_tokens', nullable: true },
		completionTokens: { type: 'integer', name: 'completion_tokens', nullable: true },
		costUsd: {
			type: 'numeric',
			name: 'cost_usd',
			precision: 12,
			scale: 6,
			nullable: true,
			transformer: numericAsNumber,
		},
		cacheHit: { type: 'boolean', name: 'cache_hit', default: false },
		costSavedUsd: {
			type: 'numeric',
			name: 'cost_saved_usd',
			precision: 12,
			scale: 6,
			nullable: true,
			transformer: numericAsNumber,
		},
		errorMessage: { ...optionalText, name: 'error_message' },
		errorCode: { ...optionalText, name: 'error_code' },
		errorHttpStatus: { type: 'integer', name: 'error_http_status', nullable: true },
		messageTimestamp: { type: 'timestamptz', name: 'message_timestamp' },
		createdAt: { type: 'timestamptz', name: 'created_at' },
		updatedAt: { type: 'timestamptz', name: 'updated_at' },
	},
	uniques: [{ name: 'interactions_account_provider_message_key', columns: ['accountId', 'provider', 'messageId'] }],
	indices: [
		{ name: 'interactions_account_created_idx', columns: ['accountId', 'createdAt'] },
		{ name: 'interactions_conversation_idx', columns: ['conversationId'] },
	],
});
