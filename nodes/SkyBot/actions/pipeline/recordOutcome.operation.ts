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
import { executionProperties, interactionStatusProperty, reasonProperty, reportParameters, routeProperties } from './fields';

const properties: INodeProperties[] = [
	interactionStatusProperty({
		failed: "A step failed; the item error is recorded and the message's quota unit given back",
		replied: 'A reply was sent (anti-flood counts from now)',
	}),
	reasonProperty('Machine-readable why, for skipped / failed / quota_exceeded (e.g. anti_flood, ai_failed, send_failed)'),
	...routeProperties({
		accountId: { required: true },
		agentId: { description: 'Empty when the provider account has no agent: the interaction is recorded without an execution report' },
	}),
	...executionProperties('The hub records each message once, so retries of this call are harmless'),
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
		const status = this.getNodeParameter('status', itemIndex) as InteractionStatus;
		if (!INTERACTION_STATUSES.includes(status)) {
			throw new NodeOperationError(this.getNode(), `Unknown outcome status "${String(status)}"`, { itemIndex });
		}
		// A malformed item (not an InboundMessage, no account) throws here and fails that item only; an empty Agent ID
		// records the interaction without an execution report.
		const request = buildOutcomeRequest(item.json, { status, ...reportParameters.call(this, itemIndex, startedAtMs) });
		const recorded = (await signedHubWebhookRequest.call(
			this,
			'/api/webhooks/n8n/outcome',
			itemIndex,
			request as unknown as IDataObject,
		)) as RecordOutcomeResponse;
		return { outcome: { ...recorded } };
	});
}
