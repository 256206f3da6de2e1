import type { InteractionResponse, InteractionStatus, LogInteractionRequest } from '../../../../contracts/hub-api';
import type { Clock } from '../../clock';
import type { MessageKind, Provider } from '../../../../contracts/inbound-message';
import { readCursorPage } from '../../cursor-page';
import type { ConversationsService } from '../conversations/conversations.service';
import type { Interaction } from './interaction.entity';
import type { InteractionRecord, InteractionsRepository, UpsertOutcome } from './interactions.repository';
import type { InteractionPage, InteractionView } from './interactions.schemas';

const toView = (row: Interaction): InteractionView => ({
	id: row.id,
	accountId: row.accountId,
	agentId: row.agentId,
	provider: row.provider,
	kind: row.kind,
	messageId: row.messageId,
	conversationId: row.conversationId,
	contact: { externalId: row.contactExternalId, name: row.contactName },
	inboundText: row.inboundText,
	status: row.status,
	reason: row.reason,
	reply:
		row.replyText === null
			? null
			: {
					text: row.replyText,
					externalId: row.replyExternalId,
					model: row.model,
					promptTokens: row.promptTokens,
					completionTokens: row.completionTokens,
					costUsd: row.costUsd,
				},
	error:
		row.errorMessage === null
			? null
			: { message: row.errorMessage, code: row.errorCode, httpStatus: row.errorHttpStatus },
	messageTimestamp: row.messageTimestamp.toISOString(),
	createdAt: row.createdAt.toISOString(),
	updatedAt: row.updatedAt.toISOString(),
});

/** The row POST /api/interactions (and the outcome route) stores for a logged message. */
export function toInteractionRecord(
	accountId: string,
	request: Pick<LogInteractionRequest, 'agentId' | 'status' | 'reason' | 'message' | 'reply' | 'error'>,
): InteractionRecord {
	const { message, reply, error } = request;
	return {
		accountId,
		agentId: request.agentId ?? null,
		provider: message.provider,
		kind: message.kind,
		messageId: message.messageId,
		conversationId: message.conversationId,
		contactExternalId: message.contact.externalId,
		contactName: message.contact.name ?? null,
		inboundText: message.text ?? null,
		status: request.status,
		reason: request.reason ?? null,
		replyText: reply?.text ?? null,
		replyExternalId: reply?.externalId ?? null,
		model: reply?.model ?? null,
		promptTokens: reply?.promptTokens ?? null,
		completionTokens: reply?.completionTokens ?? null,
		costUsd: reply?.costUsd ?? null,
		// Only the outcome record knows the answer cache (it sets these); a logged interaction was never a hit.
		cacheHit: false,
		costSavedUsd: null,
		errorMessage: error?.message ?? null,
		errorCode: error?.code ?? null,
		errorHttpStatus: error?.httpStatus ?? null,
		messageTimestamp: new Date(message.timestamp),
	};
}

const toInteractionResponse = (row: Interaction, outcome: UpsertOutcome): InteractionResponse => ({
	id: row.id,
	accountId: row.accountId,
	agentId: row.agentId,
	provider: row.provider,
	messageId: row.messageId,
	conversationId: row.conversationId,
	status: row.status,
	reason: row.reason,
	createdAt: row.createdAt.toISOString(),
	duplicate: outcome === 'kept',
});

export class InteractionsService {
	constructor(
		private readonly repository: InteractionsRepository,
		private readonly conversations: Pick<ConversationsService, 'messageLogged'>,
		private readonly clock: Clock,
	) {}

	async log(
		accountId: string,
		request: LogInteractionRequest,
	): Promise<{ interaction: InteractionResponse; outcome: UpsertOutcome }> {
		const { row, outcome } = await this.repository.upsert(toInteractionRecord(accountId, request), this.clock());
		await this.messageLogged(row);
		return { interaction: toInteractionResponse(row, outcome), outcome };
	}

	/**
	 * The conversation of a logged message, on every log, a repeat included: a conversation missed after its message
	 * was stored (a failure in between) is made by the repeat, and a repeat changes nothing more (idempotent).
	 */
	async messageLogged(row: Interaction): Promise<void> {
		await this.conversations.messageLogged(
			{
				accountId: row.accountId,
				provider: row.provider,
				conversationId: row.conversationId,
				contactExternalId: row.contactExternalId,
				kind: row.kind,
			},
			row.messageTimestamp,
		);
	}

	async list(
		accountId: string,
		query: { status?: InteractionStatus; limit: number; cursor?: string; providers?: readonly Provider[]; kind?: MessageKind },
	): Promise<InteractionPage> {
		const { rows, nextCursor } = await readCursorPage(
			query,
			(after, limit) => this.repository.list({ accountId, status: query.status, providers: query.providers, kind: query.kind, after, limit }),
			(row) => ({ at: row.createdAt, id: row.id }),
		);
		return { interactions: rows.map(toView), nextCursor };
	}
}
