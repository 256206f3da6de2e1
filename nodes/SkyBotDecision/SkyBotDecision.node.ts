import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { failedItemOrThrow } from '../shared/execute';
import { decide } from './decide';

export class SkyBotDecision implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SkyBot Decision',
		name: 'skyBotDecision',
		icon: { light: 'file:decision.svg', dark: 'file:decision.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Send or skip',
		description:
			'Decide whether a reply is sent: only customer DMs, comments and button taps, no duplicates, within the messaging window (TikTok DMs: 48 h and 10 messages), at most one reply per conversation per flood window, never an empty reply',
		defaults: { name: 'SkyBot Decision' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Send', 'Skip'],
		properties: [
			{
				displayName:
					'Rules, first match wins: not a DM, comment or postback, or an echo → not_answerable; already seen → duplicate; older than the messaging window (TikTok DMs: the TikTok window) → outside_messaging_window; a TikTok DM after the TikTok message cap → messaging_limit_reached; conversation answered within the flood window → anti_flood; no reply text → empty_reply. The item gets <code>decision: {action, reason}</code>.',
				name: 'rulesNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Flood Window (Minutes)',
				name: 'floodWindowMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 5,
				description: 'At most one reply per conversation within this many minutes',
			},
			{
				displayName: 'Messaging Window (Hours)',
				name: 'messagingWindowHours',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 24,
				description:
					"Meta only allows free-form replies within 24 hours of the customer's message. TikTok DMs follow the TikTok window below instead.",
			},
			{
				displayName: 'TikTok Messaging Window (Hours)',
				name: 'tiktokWindowHours',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 48,
				description: "TikTok DMs: a business may reply within 48 hours of the user's last message",
			},
			{
				displayName: 'TikTok Messages per Window',
				name: 'tiktokMaxMessages',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description: "TikTok DMs: at most 10 messages of the business between two messages of the user",
			},
			{
				displayName: 'Messages Since Customer Message',
				name: 'messagesSinceCustomerMessage',
				type: 'string',
				default: '={{ $json.quota?.messagesSinceCustomerMessage ?? "" }}',
				description:
					"How many messages the account sent in this conversation since the customer's last message (for the TikTok cap). Empty: unknown, and only the TikTok window is checked.",
			},
			{
				displayName: 'Reply Text',
				name: 'replyText',
				type: 'string',
				default: '={{ $json.ai.text }}',
			},
			{
				displayName: 'Duplicate',
				name: 'duplicate',
				type: 'boolean',
				// Reads the hub's answer from the item by default, like every step of the pipeline.
				// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-boolean
				default: '={{ $json.quota.duplicate }}',
				description: 'Whether the hub has already seen this message ID',
			},
			{
				displayName: 'Previous Allowed At',
				name: 'previousAllowedAt',
				type: 'string',
				default: '={{ $json.quota.previousAllowedAt }}',
				description: 'ISO date the previous message of this conversation was let through, if any',
			},
			{
				displayName: 'Message Timestamp',
				name: 'messageTimestamp',
				type: 'string',
				default: '={{ $json.timestamp }}',
				description: 'ISO date the customer sent the message',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const send: INodeExecutionData[] = [];
		const skip: INodeExecutionData[] = [];
		const now = new Date();

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const item = items[itemIndex];
			try {
				const decision = decide(
					{
						kind: item.json.kind,
						isEcho: item.json.isEcho,
						duplicate: isTrue(this.getNodeParameter('duplicate', itemIndex, false)),
						previousAllowedAt: optionalString(this.getNodeParameter('previousAllowedAt', itemIndex, '')),
						messageTimestamp: String(this.getNodeParameter('messageTimestamp', itemIndex) ?? ''),
						replyText: optionalString(this.getNodeParameter('replyText', itemIndex, '')),
						floodWindowMinutes: this.getNodeParameter('floodWindowMinutes', itemIndex) as number,
						messagingWindowHours: this.getNodeParameter('messagingWindowHours', itemIndex) as number,
						provider: item.json.provider,
						tiktokWindowHours: this.getNodeParameter('tiktokWindowHours', itemIndex, 48) as number,
						tiktokMaxMessages: this.getNodeParameter('tiktokMaxMessages', itemIndex, 10) as number,
						messagesSinceCustomerMessage: optionalCount(this.getNodeParameter('messagesSinceCustomerMessage', itemIndex, '')),
					},
					now,
				);
				const output = { json: { ...item.json, decision: decision as IDataObject }, pairedItem: { item: itemIndex } };
				(decision.action === 'send' ? send : skip).push(output);
			} catch (error) {
				// Under "continue (regular output)" a failed decision must never lead to a send.
				skip.push(failedItemOrThrow.call(this, item, error, itemIndex));
			}
		}
		return [send, skip];
	}
}

/** Expressions on missing fields give undefined / null; only an explicit true (or "true") counts. */
function isTrue(value: unknown): boolean {
	return value === true || value === 'true';
}

function optionalString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A count from an expression: a number, a numeric string, or nothing (empty, null, undefined) when unknown. */
function optionalCount(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const count = typeof value === 'number' ? value : Number(String(value).trim());
	// Not a number at all is passed on as NaN, which decide() refuses: a typo in the expression is not "unknown".
	return Number.isFinite(count) ? count : Number.NaN;
}
