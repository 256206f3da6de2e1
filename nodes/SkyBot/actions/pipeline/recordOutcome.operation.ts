import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import {
	INTERACTION_STATUSES,
	type InteractionStatus,
	type RecordOutcomeResponse,
} from '../../../../contracts/hub-api';
import { enrichEachItem } from '../../../shared/execute';
import { asString, isRecord, type JsonRecord } from '../../../shared/json';
import { shownWhenDefinedBelow } from '../../../shared/properties';
import { buildOutcomeRequest, type OutcomeParameters } from '../../helpers/outcome';
import { signedHubWebhookRequest } from '../../transport';
import { executionProperties, interactionStatusProperty, reasonProperty, reportParameters, routeProperties } from './fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Record',
		name: 'recordFrom',
		type: 'options',
		options: [
			{ name: 'Define Below', value: 'define', description: 'Status, reason, account, agent and execution from the fields below' },
			{
				name: 'The Pipeline Item',
				value: 'item',
				description:
					"From the item, after SkyBot Scenario: replied when it carries the sent reply, failed (ai_failed or send_failed) when it carries a step's error; the route and this execution",
			},
		],
		default: 'define',
	},
	...shownWhenDefinedBelow('recordFrom', [
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
	]),
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
		const parameters =
			this.getNodeParameter('recordFrom', itemIndex, 'define') === 'item'
				? outcomeOfItem.call(this, item.json, startedAtMs)
				: { status: this.getNodeParameter('status', itemIndex) as InteractionStatus, ...reportParameters.call(this, itemIndex, startedAtMs) };
		const { status } = parameters;
		if (!INTERACTION_STATUSES.includes(status)) {
			throw new NodeOperationError(this.getNode(), `Unknown outcome status "${String(status)}"`, { itemIndex });
		}
		// A malformed item (not an InboundMessage, no account) throws here and fails that item only; an empty Agent ID
		// records the interaction without an execution report.
		const request = buildOutcomeRequest(item.json, parameters);
		const recorded = (await signedHubWebhookRequest.call(
			this,
			'/api/webhooks/n8n/outcome',
			itemIndex,
			request as unknown as IDataObject,
		)) as RecordOutcomeResponse;
		return { outcome: { ...recorded } };
	});
}

/**
 * The outcome a pipeline item says, read in code: a step's error (continue on fail) → failed, `send_failed` when the AI
 * had written the reply and `ai_failed` otherwise; else replied. The route from SkyBot Scenario, this execution's ids.
 */
function outcomeOfItem(this: IExecuteFunctions, item: JsonRecord, startedAtMs: number | undefined): OutcomeParameters {
	const route = isRecord(item.route) ? item.route : {};
	const failed = item.error !== undefined;
	return {
		status: failed ? 'failed' : 'replied',
		reason: failed ? (isRecord(item.ai) ? 'send_failed' : 'ai_failed') : undefined,
		accountId: asString(route.accountId) ?? '',
		agentId: asString(route.agentId) ?? null,
		executionId: String(this.getExecutionId()),
		workflowId: this.getWorkflow().id,
		startedAtMs,
		nowMs: Date.now(),
	};
}
