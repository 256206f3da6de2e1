import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExecutionReportResponse, ExecutionStatus } from '../../../../contracts/hub-api';
import { enrichEachItem } from '../../../shared/execute';
import { buildExecutionReport } from '../../helpers/execution-report';
import { signedHubWebhookRequest } from '../../transport';
import { executionProperties, reasonProperty, reportParameters, routeProperties } from './fields';

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
	reasonProperty('Machine-readable why, for skipped / error (e.g. anti_flood, send_failed)'),
	...routeProperties({ accountId: { required: true }, agentId: { required: true } }),
	...executionProperties('The hub records each (execution, message) once, so retries of this call are harmless'),
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
		const report = buildExecutionReport(item.json, {
			status: this.getNodeParameter('reportStatus', itemIndex) as ExecutionStatus,
			...reportParameters.call(this, itemIndex, startedAtMs),
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
