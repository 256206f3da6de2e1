import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import {
	INTERACTION_STATUSES,
	type InteractionStatus,
	type RecordOutcomeResponse,
} from '../../../../contracts/hub-api';
import { enrichEachItem } from '../../../shared/execute';
import { buildOutcomeRequest } from '../../helpers/outcome';
import { signedHubWebhookRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Failed', value: 'failed', description: "A step failed; the item error is recorded and the message's quota unit given back" },
			{ name: 'Ignored', value: 'ignored', description: 'Not something to answer (receipt, echo...)' },
			{ name: 'Quota Exceeded', value: 'quota_exceeded', description: 'The plan allows no more replies today' },
			{ name: 'Replied', value: 'replied', description: 'A reply was sent (anti-flood counts from now)' },
			{ name: 'Skipped', value: 'skipped', description: 'A rule decided not to answer' },
		],
		default: 'replied',
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: "e.g. {{ $json.decision.reason }}",
		description: 'Machine-readable why, for skipped / failed / quota_exceeded (e.g. anti_flood, ai_failed, send_failed)',
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
		description: 'Empty when the provider account has no agent: the interaction is recorded without an execution report',
	},
	{
		displayName: 'Execution ID',
		name: 'executionId',
		type: 'string',
		default: '={{ $execution.id }}',
		required: true,
		description: 'The hub records each message once, so retries of this call are harmless',
	},
	{
		displayName: 'Workflow ID',
		name: 'workflowId',
		type: 'string',
		default: '={{ $workflow.id }}',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['pipeline'], operation: ['recordOutcome'] } },
	properties,
);

/**
 * Adds `outcome`: the hub's answer. ONE signed request records the interaction and the execution report together
 * (what Log Interaction and Report Execution did in two), and gives the message's quota unit back when it failed.
 * Signed with the credential's Webhook Secret like Report Execution; latency runs from the start of this execution.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const startedAtMs = this.getExecutionContext?.()?.establishedAt;
	return await enrichEachItem.call(this, items, async (item, itemIndex) => {
		const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '');
		const status = this.getNodeParameter('status', itemIndex) as InteractionStatus;
		if (!INTERACTION_STATUSES.includes(status)) {
			throw new NodeOperationError(this.getNode(), `Unknown outcome status "${String(status)}"`, { itemIndex });
		}
		// A malformed item (not an InboundMessage, no account) throws here and fails that item only.
		const request = buildOutcomeRequest(item.json, {
			status,
			reason: text('reason') || undefined,
			accountId: text('accountId'),
			agentId: text('agentId') || null,
			executionId: text('executionId'),
			workflowId: text('workflowId') || undefined,
			startedAtMs,
			nowMs: Date.now(),
		});
		const recorded = (await signedHubWebhookRequest.call(
			this,
			'/api/webhooks/n8n/outcome',
			itemIndex,
			request as unknown as IDataObject,
		)) as RecordOutcomeResponse;
		return { outcome: { ...recorded } };
	});
}
