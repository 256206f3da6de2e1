import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { InteractionStatus } from '../../../../contracts/hub-api';
import type { MessageKind, Provider } from '../../../../contracts/inbound-message';
import type { KeysetPosition } from '../../cursor-page';
import { withConstraint } from '../../pg-errors';
import { notFound } from '../../errors';
import { type Interaction, InteractionEntity } from './interaction.entity';

export type InteractionRecord = Omit<Interaction, 'id' | 'createdAt' | 'updatedAt'>;

/** What happened to a logged interaction: a new row, a stored `failed` row replaced, or an existing row kept. */
export type UpsertOutcome = 'inserted' | 'replaced' | 'kept';

/** Column order of the INSERT below; the record's fields in the same order become its parameters. */
const COLUMNS: [keyof InteractionRecord, string][] = [
	['accountId', 'account_id'],
	['agentId', 'agent_id'],
	['provider', 'provider'],
	['kind', 'kind'],
	['messageId', 'message_id'],
	['conversationId', 'conversation_id'],
	['contactExternalId', 'contact_external_id'],
	['contactName', 'contact_name'],
	['inboundText', 'inbound_text'],
	['status', 'status'],
	['reason', 'reason'],
	['replyText', 'reply_text'],
	['replyExternalId', 'reply_external_id'],
	['model', 'model'],
	['promptTokens', 'prompt_tokens'],
	['completionTokens', 'completion_tokens'],
	['costUsd', 'cost_usd'],
	['cacheHit', 'cache_hit'],
	['costSavedUsd', 'cost_saved_usd'],
	['errorMessage', 'error_message'],
	['errorCode', 'error_code'],
	['errorHttpStatus', 'error_http_status'],
	['messageTimestamp', 'message_timestamp'],
];
const COLUMN_NAMES = COLUMNS.map(([, column]) => column);
const KEY_COLUMNS = new Set(['account_id', 'provider', 'message_id']);
const NOW_PARAMETER = `$${COLUMNS.length + 1}`;

/**
 * How much an outcome tells about a message, most first. Several executions can log one message (Meta redelivers,
 * n8n retries) and they finish in any order: a redelivery that was skipped as a duplicate may log before the
 * execution that really sent the reply. The stored row therefore moves only towards a more telling outcome; a
 * `failed` row also takes a newer failure (its latest error).
 */
const OUTCOME_RANK: Record<InteractionStatus, number> = { replied: 4, failed: 3, quota_exceeded: 2, skipped: 1, ignored: 0 };
const rankOf = (column: string) =>
	`CASE ${column} ${Object.entries(OUTCOME_RANK)
		.map(([status, rank]) => `WHEN '${status}' THEN ${rank}`)
		.join(' ')} END`;

/**
 * One statement decides, under the unique key's row lock, between insert, replace and keep, so concurrent retries of
 * one message never produce two rows or lose an outcome. `xmax = 0` holds only for a freshly inserted row version,
 * which tells an insert from an ON CONFLICT update.
 */
const UPSERT_SQL = `
	INSERT INTO interactions (${COLUMN_NAMES.join(', ')}, created_at, updated_at)
	VALUES (${COLUMNS.map((_, index) => `$${index + 1}`).join(', ')}, ${NOW_PARAMETER}, ${NOW_PARAMETER})
	ON CONFLICT ON CONSTRAINT interactions_account_provider_message_key DO UPDATE SET
		${COLUMN_NAMES.filter((column) => !KEY_COLUMNS.has(column))
			.map((column) => `${column} = EXCLUDED.${column}`)
			.join(', ')},
		updated_at = EXCLUDED.updated_at
	WHERE ${rankOf('interactions.status')} < ${rankOf('EXCLUDED.status')}
		OR (interactions.status = 'failed' AND EXCLUDED.status = 'failed')
	RETURNING id, (xmax = 0) AS inserted`;

export interface ListFilter {
	accountId: string;
	status?: InteractionStatus;
	/** Only these providers' (the social-account routes read one channel's record). */
	providers?: readonly Provider[];
	kind?: MessageKind;
	/** Rows strictly after this (created_at, id) pair in newest-first order. */
	after?: KeysetPosition;
	limit: number;
}

export class InteractionsRepository {
	private readonly interactions: Repository<Interaction>;

	constructor(private readonly dataSource: DataSource) {
		this.interactions = dataSource.getRepository(InteractionEntity);
	}

	/**
	 * Inserts, replaces or keeps the message's row (see UPSERT_SQL). `manager` runs it inside a caller's transaction
	 * (the outcome route stores the interaction and the execution report together).
	 */
	async upsert(
		record: InteractionRecord,
		now: Date,
		manager: EntityManager = this.dataSource.manager,
	): Promise<{ row: Interaction; outcome: UpsertOutcome }> {
		const written: { id: string; inserted: boolean }[] = await withConstraint(
			'interactions_agent_fkey',
			() => notFound('agent'),
			() => manager.query(UPSERT_SQL, [...COLUMNS.map(([field]) => record[field]), now]),
		);
		const rows = manager.getRepository(InteractionEntity);
		const [write] = written;
		if (write) {
			const row = await rows.findOneByOrFail({ id: write.id });
			return { row, outcome: write.inserted ? 'inserted' : 'replaced' };
		}
		const row = await rows.findOneByOrFail({
			accountId: record.accountId,
			provider: record.provider,
			messageId: record.messageId,
		});
		return { row, outcome: 'kept' };
	}

	list(filter: ListFilter): Promise<Interaction[]> {
		const query = this.interactions
			.createQueryBuilder('interaction')
			.where('interaction.accountId = :accountId', { accountId: filter.accountId })
			.orderBy('interaction.createdAt', 'DESC')
			.addOrderBy('interaction.id', 'DESC')
			.limit(filter.limit);
		if (filter.status) query.andWhere('interaction.status = :status', { status: filter.status });
		if (filter.providers) query.andWhere('interaction.provider IN (:...providers)', { providers: filter.providers });
		if (filter.kind) query.andWhere('interaction.kind = :kind', { kind: filter.kind });
		if (filter.after) {
			query.andWhere('(interaction.createdAt, interaction.id) < (:afterCreatedAt, :afterId)', {
				afterCreatedAt: filter.after.at,
				afterId: filter.after.id,
			});
		}
		return query.getMany();
	}
}
