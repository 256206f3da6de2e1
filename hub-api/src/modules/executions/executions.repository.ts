import type { DataSource, EntityManager } from 'typeorm';
import type { AgentLogLevel, ExecutionStatus } from '../../../../contracts/hub-api';

export interface ExecutionRecord {
	accountId: string;
	agentId: string;
	n8nExecutionId: string;
	/** The message id, or '' for an execution that handled no message: part of the idempotency key. */
	messageKey: string;
	workflowId: string | null;
	status: ExecutionStatus;
	startedAt: Date;
	latencyMs: number | null;
	model: string | null;
	promptTokens: number;
	completionTokens: number;
	costUsd: number;
	/** Answered from the AI answer cache (outcome records only): no model call; `costSavedUsd` is what it would have cost. */
	cacheHit: boolean;
	costSavedUsd: number;
	provider: string | null;
	messageId: string | null;
	conversationId: string | null;
	contactId: string | null;
	reason: string | null;
	errorMessage: string | null;
	errorCode: string | null;
}

export interface AgentLogRecord {
	level: AgentLogLevel;
	message: string;
	metadata: Record<string, unknown> | null;
}

/** Column order of the INSERT below; the record's fields in the same order become its parameters. */
const COLUMNS: [keyof ExecutionRecord, string][] = [
	['accountId', 'account_id'],
	['agentId', 'agent_id'],
	['n8nExecutionId', 'n8n_execution_id'],
	['messageKey', 'message_key'],
	['workflowId', 'workflow_id'],
	['status', 'status'],
	['startedAt', 'started_at'],
	['latencyMs', 'latency_ms'],
	['model', 'model'],
	['promptTokens', 'prompt_tokens'],
	['completionTokens', 'completion_tokens'],
	['costUsd', 'cost_usd'],
	['cacheHit', 'cache_hit'],
	['costSavedUsd', 'cost_saved_usd'],
	['provider', 'provider'],
	['messageId', 'message_id'],
	['conversationId', 'conversation_id'],
	['contactId', 'contact_id'],
	['reason', 'reason'],
	['errorMessage', 'error_message'],
	['errorCode', 'error_code'],
];
const NOW_PARAMETER = `$${COLUMNS.length + 1}`;

/** A concurrent duplicate waits on the unique key, then inserts nothing: exactly one row per report key. */
const INSERT_SQL = `
	INSERT INTO executions (${COLUMNS.map(([, column]) => column).join(', ')}, created_at)
	VALUES (${COLUMNS.map((_, index) => `$${index + 1}`).join(', ')}, ${NOW_PARAMETER})
	ON CONFLICT ON CONSTRAINT executions_report_key DO NOTHING
	RETURNING id`;

const INSERT_LOGS_SQL = `
	INSERT INTO agent_logs (account_id, agent_id, execution_id, level, message, metadata, created_at)
	SELECT $1, $2, $3, log.level, log.message, log.metadata, $5
	FROM jsonb_to_recordset($4::jsonb) AS log(level text, message text, metadata jsonb)`;

export class ExecutionsRepository {
	constructor(private readonly dataSource: DataSource) {}

	async agentBelongsTo(agentId: string, accountId: string): Promise<boolean> {
		const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM agents WHERE id = $1 AND account_id = $2', [
			agentId,
			accountId,
		]);
		return rows.length > 0;
	}

	/** Stores the execution and its log lines together; a repeat of a stored report stores nothing. */
	record(
		execution: ExecutionRecord,
		logs: AgentLogRecord[],
		now: Date,
	): Promise<{ id: string; inserted: boolean }> {
		return this.dataSource.transaction((manager) => this.insert(execution, logs, now, manager));
	}

	/** The execution and its log lines, inside the caller's transaction; a repeat answers the stored id. */
	async insert(
		execution: ExecutionRecord,
		logs: AgentLogRecord[],
		now: Date,
		manager: EntityManager,
	): Promise<{ id: string; inserted: boolean }> {
		const inserted: { id: string }[] = await manager.query(INSERT_SQL, [
			...COLUMNS.map(([field]) => execution[field]),
			now,
		]);
		if (inserted[0]) {
			if (logs.length > 0) {
				await manager.query(INSERT_LOGS_SQL, [
					execution.accountId,
					execution.agentId,
					inserted[0].id,
					JSON.stringify(logs),
					now,
				]);
			}
			return { id: inserted[0].id, inserted: true };
		}
		const existing = await this.findId(execution, manager);
		return { id: existing!, inserted: false };
	}

	/** The stored execution of this (account, n8n execution, message), if any. */
	async findId(
		key: Pick<ExecutionRecord, 'accountId' | 'n8nExecutionId' | 'messageKey'>,
		manager: EntityManager = this.dataSource.manager,
	): Promise<string | undefined> {
		const [existing]: { id: string }[] = await manager.query(
			'SELECT id FROM executions WHERE account_id = $1 AND n8n_execution_id = $2 AND message_key = $3',
			[key.accountId, key.n8nExecutionId, key.messageKey],
		);
		return existing?.id;
	}
}
