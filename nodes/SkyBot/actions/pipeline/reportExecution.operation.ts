import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExecutionReportResponse, ExecutionStatus } from '../../../../contracts/hub-api';
import { enrichEachItem } from '../../../shared/execute';
import { buildExecutionReport } from '../../helpers/execution-report';
import { signedHubWebhookRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Status',
		name: 'reportStatus',
		type: 'options',
		options: [
			{ name: 'Error', value: 'error', description: 'A step failed; the item error is reported' },
			{ name: 'Skipped', value: 'skipped', description: 'Handled without replying (rule, quota...)' },
			{ name: 'Success', value: 'success', description: 'The message was answered' },
		],
		default: 'success',
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: "e.g. {{ $json.decision.reason }}",
		description: 'Machine-readable why, for skipped / error (e.g. anti_flood, send_failed)',
	},
	{
		displayName: 'Account ID',
		name: 'accountId',
		type: 'string',
		default: '={{ $json.route.accountId }}',
		required: true,
	},
	{
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		default: '={{ $json.route.agentId }}',
		required: true,
	},
	{
		displayName: 'Execution ID',
		name: 'executionId',
		type: 'string',
		default: '={{ $execution.id }}',
		required: true,
		description: 'The hub records each (execution, message) once, so retries of this call are harmless',
	},
	{
		displayName: 'Workflow ID',
		name: 'workflowId',
		type: 'string',
		default: '={{ $workflow.id }}',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['pipeline'], operation: ['reportExecution'] } },
	properties,
);

/**
 * Adds `executionReport`: the hub's id of the recorded execution. The report is signed with the credential's
 * Webhook Secret (HMAC-SHA256); latency runs from the moment n8n started this execution (its trigger) to now.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const startedAtMs = this.getExecutionContext?.()?.establishedAt;
	return await enrichEachItem.call(this, items, async (item, itemIndex) => {
		const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '');
		const report = buildExecutionReport(item.json, {
			status: this.getNodeParameter('reportStatus', itemIndex) as ExecutionStatus,
			reason: text('reason') || undefined,
			accountId: text('accountId'),
			agentId: text('agentId'),
			executionId: text('executionId'),
			workflowId: text('workflowId') || undefined,
			startedAtMs,
			nowMs: Date.now(),
		});
		const recorded = (await signedHubWebhookRequest.call(
			this,
			'/api/webhooks/n8n/execution',
			itemIndex,
			report as unknown as IDataObject,
		)) as ExecutionReportResponse;
		return { executionReport: { ...recorded } };
	});
}
