import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { RouteResponse } from '../../../../contracts/hub-api';
import { enrichEachItem } from '../../../shared/execute';
import { hubApiRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'string',
		default: '={{ $json.provider }}',
		required: true,
		description: 'Provider of the inbound message (instagram, messenger, whatsapp...)',
	},
	{
		displayName: 'Account External ID',
		name: 'accountExternalId',
		type: 'string',
		default: '={{ $json.accountExternalId }}',
		required: true,
		description: 'Page ID, Instagram account ID or WhatsApp phone number ID that received the message',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['pipeline'], operation: ['route'] } },
	properties,
);

/** Adds `route`: which tenant (account) and agent own the provider account that received the message. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (_item, itemIndex) => {
		const provider = String(this.getNodeParameter('provider', itemIndex));
		const accountExternalId = String(this.getNodeParameter('accountExternalId', itemIndex));
		const path = `/api/routing/${encodeURIComponent(provider)}/${encodeURIComponent(accountExternalId)}`;
		const route = (await hubApiRequest.call(this, 'GET', path, itemIndex, undefined, {
			messageByStatus: { 404: `No SkyBot agent is connected to ${provider} account ${accountExternalId}` },
		})) as RouteResponse;
		return { route: { ...route } };
	});
}
