import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import {
	INTERACTION_STATUSES,
	type InteractionResponse,
	type InteractionStatus,
} from '../../../../contracts/hub-api';
import { enrichEachItem } from '../../../shared/execute';
import { buildInteractionRequest } from '../../helpers/interaction';
import { hubApiRequest } from '../../transport';
import { interactionStatusProperty, reasonProperty, routeProperties } from './fields';

const properties: INodeProperties[] = [
	interactionStatusProperty({ failed: 'A step failed; the item error is logged', replied: 'A reply was sent' }),
	reasonProperty('Machine-readable why, for skipped / failed / quota_exceeded (e.g. anti_flood, graph_api_error)'),
	...routeProperties({
		accountId: { description: 'Hub account (tenant). Required with a platform key, ignored with an account key.' },
		agentId: {},
	}),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['pipeline'], operation: ['logInteraction'] } },
	properties,
);

/**
 * Adds `interaction`: the stored interaction. The request is built from the item itself: its InboundMessage
 * fields, the `ai` reply with the `delivery` message id, and the `error` a failed step left.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (item, itemIndex) => {
		const status = this.getNodeParameter('status', itemIndex) as InteractionStatus;
		if (!INTERACTION_STATUSES.includes(status)) {
			throw new NodeOperationError(this.getNode(), `Unknown interaction status "${String(status)}"`, { itemIndex });
		}
		const reason = String(this.getNodeParameter('reason', itemIndex, '') ?? '');
		const accountId = this.getNodeParameter('accountId', itemIndex, '') as string | null;
		const agentId = this.getNodeParameter('agentId', itemIndex, '') as string | null;

		// A malformed item (not an InboundMessage) throws here and fails that item only.
		const request = buildInteractionRequest(item.json, {
			status,
			reason: reason || undefined,
			accountId: accountId ? String(accountId) : undefined,
			agentId: agentId === null ? null : agentId ? String(agentId) : undefined,
		});
		const interaction = (await hubApiRequest.call(
			this,
			'POST',
			'/api/interactions',
			itemIndex,
			request as unknown as IDataObject,
		)) as InteractionResponse;
		return { interaction: { ...interaction } };
	});
}
