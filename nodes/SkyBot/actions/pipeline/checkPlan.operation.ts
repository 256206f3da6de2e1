import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ConsumeQuotaRequest, ConsumeQuotaResponse } from '../../../../contracts/hub-api';
import { enrichEachItem } from '../../../shared/execute';
import { hubApiRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Account ID',
		name: 'accountId',
		type: 'string',
		default: '={{ $json.route.accountId }}',
		description:
			'Hub account (tenant) whose daily quota is consumed. Required with a platform key, ignored with an account key.',
	},
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '={{ $json.messageId }}',
		required: true,
		description: 'The consume is idempotent per message: a redelivered message consumes nothing',
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '={{ $json.conversationId }}',
		required: true,
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['pipeline'], operation: ['checkPlan'] } },
	properties,
);

/** Adds `quota`: whether the tenant's plan still allows a reply today, atomically consuming one if so. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (_item, itemIndex) => {
		const request: ConsumeQuotaRequest = {
			messageId: String(this.getNodeParameter('messageId', itemIndex)),
			conversationId: String(this.getNodeParameter('conversationId', itemIndex)),
		};
		const accountId = this.getNodeParameter('accountId', itemIndex, '') as string | null;
		if (accountId) request.accountId = String(accountId);
		const quota = (await hubApiRequest.call(this, 'POST', '/api/quotas/consume', itemIndex, {
			...request,
		})) as ConsumeQuotaResponse;
		return { quota: { ...quota } };
	});
}
