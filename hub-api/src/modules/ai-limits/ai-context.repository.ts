import type { DataSource, Repository } from 'typeorm';
import { type Interaction, InteractionEntity } from '../interactions/interaction.entity';
import { RECEIPT_KINDS } from '../conversations/conversations.repository';
import type { ConversationKey } from '../conversations/conversations.repository';

export type HistoryRow = Pick<Interaction, 'inboundText' | 'status' | 'replyText'>;

/** The conversation so far, read from the interactions log for the reply step's context. */
export class AiContextRepository {
	private readonly interactions: Repository<Interaction>;

	constructor(dataSource: DataSource) {
		this.interactions = dataSource.getRepository(InteractionEntity);
	}

	/**
	 * The latest `limit` messages of the conversation that make a turn, newest first (receipts aside), without the messages being
	 * answered when they were logged already. Scoped by account: another tenant's conversation of the same id is not read.
	 */
	latest(key: ConversationKey & { excludeMessageIds: string[]; limit: number }): Promise<HistoryRow[]> {
		const query = this.interactions
			.createQueryBuilder('interaction')
			.select(['interaction.inboundText', 'interaction.status', 'interaction.replyText'])
			.where('interaction.accountId = :accountId', { accountId: key.accountId })
			.andWhere('interaction.provider = :provider', { provider: key.provider })
			.andWhere('interaction.conversationId = :conversationId', { conversationId: key.conversationId })
			.andWhere('interaction.kind NOT IN (:...receipts)', { receipts: RECEIPT_KINDS })
			// Only rows that make a turn (turnOf): a message with text, or a reply that went out.
			.andWhere(
				`(interaction.inboundText <> '' OR (interaction.status = 'replied' AND interaction.replyText <> ''))`,
			)
			.orderBy('interaction.messageTimestamp', 'DESC')
			.addOrderBy('interaction.id', 'DESC')
			.limit(key.limit);
		if (key.excludeMessageIds.length > 0) {
			query.andWhere('interaction.messageId NOT IN (:...excluded)', { excluded: key.excludeMessageIds });
		}
		return query.getMany();
	}
}
