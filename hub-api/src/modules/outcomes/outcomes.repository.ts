import type { DataSource, EntityManager } from 'typeorm';
import type { AgentLogRecord, ExecutionRecord, ExecutionsRepository } from '../executions/executions.repository';
import type { Interaction } from '../interactions/interaction.entity';
import { InteractionEntity } from '../interactions/interaction.entity';
import type { InteractionRecord, InteractionsRepository } from '../interactions/interactions.repository';

export interface StoredOutcome {
	/** The message's interaction as it now is. */
	row: Interaction;
	/** This outcome's execution report, or the one a repeat of the same execution stored; null when none. */
	executionId: string | null;
	/** false: the stored outcome already said as much; nothing was written. */
	stored: boolean;
}

/**
 * Writes a message's outcome, the interaction and the execution report, in ONE transaction: a failure of either
 * leaves neither. Outcomes of one message take a transaction-scoped advisory lock on (account, provider, message)
 * first, so concurrent repeats are decided one after the other on what the previous one stored.
 */
export class OutcomesRepository {
	constructor(
		private readonly dataSource: DataSource,
		private readonly interactions: InteractionsRepository,
		private readonly executions: ExecutionsRepository,
	) {}

	async accountExists(accountId: string): Promise<boolean> {
		const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM accounts WHERE id = $1', [accountId]);
		return rows.length > 0;
	}

	record(
		interaction: InteractionRecord,
		execution: { record: ExecutionRecord; logs: AgentLogRecord[] } | null,
		now: Date,
	): Promise<StoredOutcome> {
		return this.dataSource.transaction(async (manager) => {
			await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
				`outcome:${interaction.accountId}:${interaction.provider}:${interaction.messageId}`,
			]);
			// The same execution's outcome again (n8n retrying the call): it is stored; the interaction is made only
			// when it is missing (the execution was reported by the older Report Execution route alone).
			const repeated = execution ? await this.executions.findId(execution.record, manager) : undefined;
			if (repeated) {
				const row = await this.storedInteraction(interaction, manager);
				return { row: row ?? (await this.interactions.upsert(interaction, now, manager)).row, executionId: repeated, stored: false };
			}
			const { row, outcome } = await this.interactions.upsert(interaction, now, manager);
			// The stored outcome says at least as much (a redelivery skipped as a duplicate after the reply): nothing new.
			if (outcome === 'kept') return { row, executionId: null, stored: false };
			if (!execution) return { row, executionId: null, stored: true };
			const { id } = await this.executions.insert(execution.record, execution.logs, now, manager);
			return { row, executionId: id, stored: true };
		});
	}

	private storedInteraction(record: InteractionRecord, manager: EntityManager): Promise<Interaction | null> {
		return manager.getRepository(InteractionEntity).findOneBy({
			accountId: record.accountId,
			provider: record.provider,
			messageId: record.messageId,
		});
	}
}
