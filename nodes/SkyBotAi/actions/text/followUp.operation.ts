import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { buildFollowUpMessages } from '../../helpers/prompts';
import { businessNameProperty, completeEachItem, contextProperty, modelProperty, optionsProperty } from './common';

const DEFAULTS = { maxTokens: 300, temperature: 0.7 };

const properties: INodeProperties[] = [
	modelProperty,
	businessNameProperty('The business the assistant speaks for'),
	{
		displayName: 'Last Message',
		name: 'lastMessage',
		type: 'string',
		typeOptions: { rows: 3 },
		// Items from SkyBot's List Leads carry the lead; an inbound message carries its own text.
		default: '={{ $json.lead ? $json.lead.lastMessageText : $json.text }}',
		required: true,
		description: "The prospect's last message; the follow-up is written in its language",
	},
	{
		displayName: 'Days Since Last Contact',
		name: 'days',
		type: 'number',
		typeOptions: { minValue: 0 },
		// Read from the lead SkyBot's List Leads puts on the item, like every pipeline step reads its item.
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-number
		default: '={{ $json.lead ? $json.lead.idleDays : 1 }}',
		description:
			'How long the conversation has been silent, in days; a fraction (0.5) is said in hours, as for a follow-up inside the 24-hour window',
	},
	contextProperty('Facts the follow-up may use: offer, prices, opening hours, links'),
	optionsProperty(DEFAULTS),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['text'], operation: ['followUp'] } },
	properties,
);

/**
 * Adds `ai` exactly as Reply does (text, model, usage, cost), so SkyBot Decision and the Meta send step take a
 * follow-up with their defaults, unchanged.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await completeEachItem.call(this, items, {
		resultField: 'ai',
		textParameter: 'lastMessage',
		whenBlank: { fail: 'There is no last message to follow up on' },
		defaults: DEFAULTS,
		prompt: (itemIndex, lastMessage) => {
			const days = Number(this.getNodeParameter('days', itemIndex, 1));
			if (!Number.isFinite(days) || days < 0) {
				throw new NodeOperationError(this.getNode(), `Days Since Last Contact must be a number >= 0, not "${String(days)}"`, {
					itemIndex,
				});
			}
			return {
				messages: buildFollowUpMessages({
					lastMessage,
					days,
					businessName: String(this.getNodeParameter('businessName', itemIndex, '') ?? ''),
					context: String(this.getNodeParameter('context', itemIndex, '') ?? ''),
				}),
				parse: (text) => ({ text }),
			};
		},
	});
}
