import type { ExecutionReportRequest, ExecutionReportResponse } from '../../../../contracts/hub-api';
import type { Clock } from '../../clock';
import { notFound } from '../../errors';
import type { HubEvents } from '../../hub-events';
import type { AgentLogRecord, ExecutionRecord, ExecutionsRepository } from './executions.repository';

/** The row a report becomes: its message id (or '') is part of the idempotency key. */
export function toExecutionRecord(report: ExecutionReportRequest): ExecutionRecord {
	return {
		accountId: report.accountId,
		agentId: report.agentId,
		n8nExecutionId: report.executionId,
		messageKey: report.messageId ?? '',
		workflowId: report.workflowId ?? null,
		status: report.status,
		startedAt: new Date(report.startedAt),
		latencyMs: report.latencyMs ?? null,
		model: report.model ?? null,
		promptTokens: report.promptTokens ?? 0,
		completionTokens: report.completionTokens ?? 0,
		costUsd: report.costUsd ?? 0,
		// An execution report knows nothing of the answer cache; the outcome record sets these.
		cacheHit: false,
		costSavedUsd: 0,
		provider: report.provider ?? null,
		messageId: report.messageId ?? null,
		conversationId: report.conversationId ?? null,
		contactId: report.contactId ?? null,
		reason: report.reason ?? null,
		errorMessage: report.error?.message ?? null,
		errorCode: report.error?.code ?? null,
	};
}

/** The report's log lines; a failed execution always leaves a line in the agent's log, even when the workflow sent none. */
export function executionLogs(report: ExecutionReportRequest): AgentLogRecord[] {
	const logs: AgentLogRecord[] = (report.logs ?? []).map((log) => ({
		level: log.level,
		message: log.message,
		metadata: log.metadata ?? null,
	}));
	if (report.status === 'error' && !logs.some((log) => log.level === 'error')) {
		logs.push({
			level: 'error',
			message: report.error?.message ?? report.reason ?? 'Execution failed',
			metadata: { executionId: report.executionId, reason: report.reason ?? null, code: report.error?.code ?? null },
		});
	}
	return logs;
}

export class ExecutionsService {
	constructor(
		private readonly repository: ExecutionsRepository,
		private readonly events: HubEvents,
		private readonly clock: Clock,
	) {}

	/**
	 * Records a (signature-checked) report. The agent must belong to the account the report names: an agent of
	 * another account is 404, like everywhere else. A repeated report (n8n retrying the call) is answered with the
	 * stored id and publishes nothing.
	 */
	async record(report: ExecutionReportRequest): Promise<ExecutionReportResponse> {
		if (!(await this.repository.agentBelongsTo(report.agentId, report.accountId))) throw notFound('agent');
		const execution = toExecutionRecord(report);
		const { id, inserted } = await this.repository.record(execution, executionLogs(report), this.clock());
		if (inserted) this.published(id, execution);
		return { id, duplicate: !inserted };
	}

	/** The live `agent:execution` event of a newly recorded execution (never of a duplicate). */
	published(id: string, execution: ExecutionRecord): void {
		this.events.publish('agent:execution', {
			id,
			accountId: execution.accountId,
			agentId: execution.agentId,
			executionId: execution.n8nExecutionId,
			status: execution.status,
			startedAt: execution.startedAt.toISOString(),
			latencyMs: execution.latencyMs,
			promptTokens: execution.promptTokens,
			completionTokens: execution.completionTokens,
			costUsd: execution.costUsd,
			conversationId: execution.conversationId,
			contactId: execution.contactId,
			reason: execution.reason,
		});
	}
}
