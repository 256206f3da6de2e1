import type { DataSource, Repository } from 'typeorm';
import type { ConversationHandler, HandlerChangeReason, LeadTemperature } from '../../../../contracts/hub-api';
import type { MessageKind, Provider } from '../../../../contracts/inbound-message';
import type { KeysetPosition } from '../../cursor-page';
import { type Interaction, InteractionEntity } from '../interactions/interaction.entity';
import { type Conversation, ConversationEntity } from './conversation.entity';

/** Receipts (read, delivery status) are logged like messages but are none: no activity, not in the thread. */
export const RECEIPT_KINDS: readonly MessageKind[] = ['read', 'status'];

/** A conversation as the provider names it, inside one account. */
export interface ConversationKey {
	accountId: string;
	provider: Provider;
	conversationId: string;
}

/** Who changes a handler: a person, an API key, or (both null) the hub itself. */
export interface HandlerChanger {
	userId: string | null;
	apiKeyId: string | null;
}

/**
 * When a handover has gone idle: no message and no change of handler since `cutoff` (now minus the idle time). The
 * one place the rule is written; the idle release, the handler check and the listing all use it.
 */
const IDLE_SINCE = (cutoff: string, alias = 'conversations') =>
	`(${alias}.handler = 'human' AND GREATEST(${alias}.last_message_at, ${alias}.handler_changed_at) <= ${cutoff})`;

/** The last message of a conversation and its lead, listed with it. */
export interface ConversationSummary {
	conversation: Conversation;
	lastMessage: Pick<
		Interaction,
		'id' | 'kind' | 'status' | 'inboundText' | 'replyText' | 'contactName' | 'messageTimestamp' | 'updatedAt'
	> | null;
	lead: {
		id: string;
		name: string | null;
		handle: string | null;
		phone: string | null;
		temperature: LeadTemperature | null;
		summary: string | null;
	} | null;
}

export interface ConversationFilter {
	accountId: string;
	id?: string;
	handler?: ConversationHandler;
	/** Rows strictly after this (last_activity_at, id) pair in newest-first order. */
	after?: KeysetPosition;
	limit: number;
}

export interface MessageFilter extends ConversationKey {
	/** Rows strictly after this (message_timestamp, id) pair in oldest-first order. */
	after?: KeysetPosition;
	limit: number;
}

export class ConversationsRepository {
	private readonly interactions: Repository<Interaction>;
	/** `alias.column AS "property"` for every column: raw statements answer Conversation objects as the entity maps them. */
	private readonly selectList: (alias: string) => string;

	constructor(private readonly dataSource: DataSource) {
		this.interactions = dataSource.getRepository(InteractionEntity);
		const { columns } = dataSource.getMetadata(ConversationEntity);
		this.selectList = (alias) =>
			columns.map((column) => `${alias}.${column.databaseName} AS "${column.propertyName}"`).join(', ');
	}

	/**
	 * The conversation exists from its first logged message on, and each later message moves its last message time
	 * forward (never back: executions finish in any order). A message time in the future (a skewed provider clock)
	 * counts as now. A repeat of a message changes nothing.
	 */
	async touch(key: ConversationKey & { contactExternalId: string }, messageAt: Date, now: Date): Promise<void> {
		await this.dataSource.query(
			`INSERT INTO conversations (account_id, provider, conversation_id, contact_external_id, last_message_at,
				created_at, updated_at)
			VALUES ($1, $2, $3, $4, LEAST($5::timestamptz, $6::timestamptz), $6, $6)
			ON CONFLICT ON CONSTRAINT conversations_account_provider_conversation_key DO UPDATE SET
				last_message_at = EXCLUDED.last_message_at, updated_at = EXCLUDED.updated_at
			WHERE conversations.last_message_at IS NULL OR conversations.last_message_at < EXCLUDED.last_message_at`,
			[key.accountId, key.provider, key.conversationId, key.contactExternalId, messageAt, now],
		);
	}

	/**
	 * Gives every handover in `scope` that has gone idle back to the AI, in one statement; answers the rows it changed.
	 * Idempotent and safe across replicas: a row two hubs release at once is changed (and answered) by one of them,
	 * since the other's WHERE is checked again on the row it waited for. The change is dated when the conversation went
	 * idle, not when this ran, so whichever hub or read does it records the same history.
	 */
	async releaseIdle(
		scope: Partial<ConversationKey> & { id?: string },
		at: { now: Date; idleMs: number },
	): Promise<Conversation[]> {
		const parameters: unknown[] = [new Date(at.now.getTime() - at.idleMs), at.idleMs, at.now];
		const where = [IDLE_SINCE('$1')];
		const columns: [keyof typeof scope, string][] = [
			['accountId', 'account_id'],
			['id', 'id'],
			['provider', 'provider'],
			['conversationId', 'conversation_id'],
		];
		for (const [field, column] of columns) {
			if (scope[field] === undefined) continue;
			parameters.push(scope[field]);
			where.push(`${column} = $${parameters.length}`);
		}
		const [rows] = (await this.dataSource.query(
			`UPDATE conversations SET handler = 'ai', handler_version = handler_version + 1,
				handler_changed_at = GREATEST(last_message_at, handler_changed_at) + $2::double precision * interval '1 millisecond',
				handler_change_reason = 'idle', handler_changed_by_user_id = NULL, handler_changed_by_api_key_id = NULL,
				updated_at = $3
			WHERE ${where.join(' AND ')}
			RETURNING ${this.selectList('conversations')}`,
			parameters,
		)) as [Conversation[], number];
		return rows;
	}

	/**
	 * Sets the handler of the conversation `id` when it is not already that, in one statement (so of concurrent
	 * handovers and releases each change is whole, and the versions count them); null when nothing changed.
	 */
	async changeHandler(
		accountId: string,
		id: string,
		change: { handler: ConversationHandler; reason: HandlerChangeReason; by: HandlerChanger; now: Date },
	): Promise<Conversation | null> {
		const [rows] = (await this.dataSource.query(
			`UPDATE conversations SET handler = $3, handler_version = handler_version + 1, handler_changed_at = $4,
				handler_change_reason = $5, handler_changed_by_user_id = $6, handler_changed_by_api_key_id = $7,
				updated_at = $4
			WHERE account_id = $1 AND id = $2 AND handler <> $3
			RETURNING ${this.selectList('conversations')}`,
			[accountId, id, change.handler, change.now, change.reason, change.by.userId, change.by.apiKeyId],
		)) as [Conversation[], number];
		return rows[0] ?? null;
	}

	/** The pipeline's check: one probe of the unique key. `idle` says the handover has gone idle (not yet released). */
	async handlerOf(
		key: ConversationKey,
		cutoff: Date,
	): Promise<{ id: string; handler: ConversationHandler; idle: boolean } | null> {
		const rows = (await this.dataSource.query(
			`SELECT id, handler, ${IDLE_SINCE('$4')} AS idle FROM conversations
			WHERE account_id = $1 AND provider = $2 AND conversation_id = $3`,
			[key.accountId, key.provider, key.conversationId, cutoff],
		)) as { id: string; handler: ConversationHandler; idle: boolean }[];
		return rows[0] ?? null;
	}

	/** Newest activity first, ties broken by id; each with its last message (receipts aside) and its lead. */
	async list(filter: ConversationFilter): Promise<ConversationSummary[]> {
		const parameters: unknown[] = [filter.accountId];
		const where = ['c.account_id = $1'];
		const add = (condition: (next: string) => string, ...values: unknown[]) => {
			const names = values.map((value) => `$${parameters.push(value)}`);
			where.push(condition(names.join(', ')));
		};
		if (filter.id) add((id) => `c.id = ${id}`, filter.id);
		if (filter.handler) add((handler) => `c.handler = ${handler}`, filter.handler);
		if (filter.after) add((position) => `(c.last_activity_at, c.id) < (${position})`, filter.after.at, filter.after.id);
		const rows = (await this.dataSource.query(
			`SELECT ${this.selectList('c')},
				last.id AS "lastId", last.kind AS "lastKind", last.status AS "lastStatus",
				last.inbound_text AS "lastInboundText", last.reply_text AS "lastReplyText",
				last.contact_name AS "lastContactName", last.message_timestamp AS "lastMessageTimestamp",
				last.updated_at AS "lastUpdatedAt",
				lead.id AS "leadId", lead.name AS "leadName", lead.handle AS "leadHandle", lead.phone AS "leadPhone",
				lead.temperature AS "leadTemperature", lead.summary AS "leadSummary"
			FROM conversations c
			LEFT JOIN LATERAL (
				SELECT * FROM interactions i
				WHERE i.account_id = c.account_id AND i.provider = c.provider AND i.conversation_id = c.conversation_id
					AND i.kind <> ALL ($${parameters.push(RECEIPT_KINDS)})
				ORDER BY i.message_timestamp DESC, i.id DESC LIMIT 1
			) last ON true
			LEFT JOIN leads lead ON lead.account_id = c.account_id AND lead.provider = c.provider
				AND lead.contact_external_id = c.contact_external_id
			WHERE ${where.join(' AND ')}
			ORDER BY c.last_activity_at DESC, c.id DESC
			LIMIT $${parameters.push(filter.limit)}`,
			parameters,
		)) as (Conversation & Record<string, unknown>)[];
		return rows.map(summaryOf);
	}

	/** The conversation's messages (receipts aside), oldest first, ties broken by id. */
	messages(filter: MessageFilter): Promise<Interaction[]> {
		const query = this.interactions
			.createQueryBuilder('interaction')
			.where('interaction.accountId = :accountId', { accountId: filter.accountId })
			.andWhere('interaction.provider = :provider', { provider: filter.provider })
			.andWhere('interaction.conversationId = :conversationId', { conversationId: filter.conversationId })
			.andWhere('interaction.kind NOT IN (:...receipts)', { receipts: RECEIPT_KINDS })
			.orderBy('interaction.messageTimestamp', 'ASC')
			.addOrderBy('interaction.id', 'ASC')
			.limit(filter.limit);
		if (filter.after) {
			query.andWhere('(interaction.messageTimestamp, interaction.id) > (:afterAt, :afterId)', {
				afterAt: filter.after.at,
				afterId: filter.after.id,
			});
		}
		return query.getMany();
	}
}

function summaryOf(row: Conversation & Record<string, unknown>): ConversationSummary {
	const {
		lastId, lastKind, lastStatus, lastInboundText, lastReplyText, lastContactName, lastMessageTimestamp, lastUpdatedAt,
		leadId, leadName, leadHandle, leadPhone, leadTemperature, leadSummary,
		...conversation
	} = row;
	return {
		conversation: conversation as Conversation,
		lastMessage:
			lastId === null
				? null
				: ({
						id: lastId,
						kind: lastKind,
						status: lastStatus,
						inboundText: lastInboundText,
						replyText: lastReplyText,
						contactName: lastContactName,
						messageTimestamp: lastMessageTimestamp,
						updatedAt: lastUpdatedAt,
					} as ConversationSummary['lastMessage']),
		lead:
			leadId === null
				? null
				: ({
						id: leadId,
						name: leadName,
						handle: leadHandle,
						phone: leadPhone,
						temperature: leadTemperature,
						summary: leadSummary,
					} as ConversationSummary['lead']),
	};
}
