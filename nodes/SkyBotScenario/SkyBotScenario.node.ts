import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { AdmissionRequest, AdmissionResponse, ConfirmationRequest, ConfirmationResponse } from '../../contracts/hub-api';
import { pickInboundMessage } from '../SkyBot/helpers/interaction';
import { signedHubWebhookRequest } from '../SkyBot/transport';
import { failedItemOrThrow } from '../shared/execute';
import { asNumber, asString, isRecord, type JsonRecord } from '../shared/json';

type Operation = 'decide' | 'confirm';

/** Hub requests in flight at once for one node run (a delivery rarely holds more than a few messages). */
const CONCURRENT_DECISIONS = 10;

/**
 * The pipeline's decisions, made by the hub (pipeline v2): Decide, before the model, applies every skip rule and the
 * agent's scenario in one signed request; Confirm, right before sending, checks that no person took the conversation
 * over meanwhile. Each item goes to Answer or Skip. A skip is already recorded by the hub as the message's outcome.
 * Reads the item only (no expressions), so the pipeline pays nothing for n8n's expression sandbox here.
 */
export class SkyBotScenario implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SkyBot Scenario',
		name: 'skyBotScenario',
		icon: { light: 'file:scenario.svg', dark: 'file:scenario.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "confirm" ? "Confirm before sending" : "Decide before the model" }}',
		description:
			"Decide with the SkyBot hub whether and how to answer an inbound message (the agent's scenario and the pipeline's rules), and confirm a reply right before sending it",
		defaults: { name: 'SkyBot Scenario' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Answer', 'Skip'],
		credentials: [{ name: 'skyBotHubApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Decide',
						value: 'decide',
						action: 'Decide before the model',
						description:
							"Duplicate, messaging window, human handover, the agent's scenario (fixed reply, AI reply, qualification, no reply, handover), anti-flood, bursts, AI rate limit and daily quota, in one hub request. The item gets route and admission (the fixed reply, or the chat messages for the model).",
					},
					{
						name: 'Confirm',
						value: 'confirm',
						action: 'Confirm a reply before sending',
						description:
							"Skips an empty reply, the model's escalation (the conversation goes to a person) and a reply a person's takeover overtook; the quota unit is given back",
					},
				],
				default: 'decide',
			},
			{
				displayName:
					'Reads the SkyBot inbound message item (and, for Confirm, its <code>route</code> and <code>ai</code> reply). Skipped items are already recorded in the hub: the Skip output needs no Record Outcome.',
				name: 'itemNotice',
				type: 'notice',
				default: '',
			},
		],
		usableAsTool: true,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const answer: INodeExecutionData[] = [];
		const skip: INodeExecutionData[] = [];
		const operation = this.getNodeParameter('operation', 0) as Operation;
		const timing = {
			executionId: String(this.getExecutionId()),
			workflowId: this.getWorkflow().id,
			startedAt: new Date(this.getExecutionContext?.()?.establishedAt ?? Date.now()).toISOString(),
		};
		// The items of one delivery are decided together, not one after the other: messages of one contact in one
		// delivery then join the same burst (the hub holds each for the burst window) and get one reply.
		const outputs: ('answer' | 'skip')[] = [];
		const results: INodeExecutionData[] = [];
		for (let start = 0; start < items.length; start += CONCURRENT_DECISIONS) {
			const batch = items.slice(start, start + CONCURRENT_DECISIONS).map(async (item, offset) => {
				const itemIndex = start + offset;
				try {
					const { json, answered } = await decideItem.call(this, operation, item.json, itemIndex, timing);
					outputs[itemIndex] = answered ? 'answer' : 'skip';
					results[itemIndex] = { json, pairedItem: { item: itemIndex } };
				} catch (error) {
					// Under "continue (regular output)" a failed decision must never lead to an answer.
					outputs[itemIndex] = 'skip';
					results[itemIndex] = failedItemOrThrow.call(this, item, error, itemIndex);
				}
			});
			await Promise.all(batch);
		}
		results.forEach((result, itemIndex) => (outputs[itemIndex] === 'answer' ? answer : skip).push(result));
		return [answer, skip];
	}
}

/** Decide or Confirm for one item: the item's new json and whether it goes to Answer. */
async function decideItem(
	this: IExecuteFunctions,
	operation: Operation,
	item: JsonRecord,
	itemIndex: number,
	timing: Pick<AdmissionRequest, 'executionId' | 'workflowId' | 'startedAt'>,
): Promise<{ json: IDataObject; answered: boolean }> {
	const message = pickInboundMessage(item);
	if (operation === 'decide') {
		const request: AdmissionRequest = { message, ...timing };
		const decided = (await signedHubWebhookRequest.call(
			this,
			'/api/webhooks/n8n/admission',
			itemIndex,
			request as unknown as IDataObject,
		)) as AdmissionResponse;
		const { route, ...admission } = decided;
		return {
			json: { ...item, route: route as IDataObject | null, admission: admission as IDataObject },
			answered: decided.decision === 'answer',
		};
	}
	const request: ConfirmationRequest = { message, ...timing, ...routeOf.call(this, item, itemIndex), reply: replyOf(item) };
	const confirmed = (await signedHubWebhookRequest.call(
		this,
		'/api/webhooks/n8n/confirmation',
		itemIndex,
		request as unknown as IDataObject,
	)) as ConfirmationResponse;
	return { json: { ...item, confirmation: confirmed as IDataObject }, answered: confirmed.decision === 'send' };
}

function routeOf(this: IExecuteFunctions, item: JsonRecord, itemIndex: number): Pick<ConfirmationRequest, 'accountId' | 'agentId'> {
	const route = isRecord(item.route) ? item.route : {};
	const accountId = asString(route.accountId);
	if (!accountId) {
		throw new NodeOperationError(this.getNode(), 'The item has no route.accountId: put SkyBot Scenario › Decide first', { itemIndex });
	}
	return { accountId, agentId: asString(route.agentId) ?? null };
}

/** The reply the AI step wrote (`ai`), with its model and usage. */
function replyOf(item: JsonRecord): ConfirmationRequest['reply'] {
	const ai = isRecord(item.ai) ? item.ai : {};
	const reply: ConfirmationRequest['reply'] = { text: asString(ai.text) ?? '' };
	const model = asString(ai.model);
	if (model) reply.model = model;
	for (const field of ['promptTokens', 'completionTokens', 'costUsd'] as const) {
		const value = asNumber(ai[field]);
		if (value !== undefined) reply[field] = value;
	}
	return reply;
}
