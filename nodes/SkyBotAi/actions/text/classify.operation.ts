import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { parseClassification } from '../../helpers/answers';
import { buildClassifyMessages } from '../../helpers/prompts';
import {
	businessNameProperty,
	completeEachItem,
	contextProperty,
	conversationProperty,
	modelProperty,
	optionsProperty,
} from './common';

const DEFAULTS = { maxTokens: 150, temperature: 0, jsonMode: true };

const properties: INodeProperties[] = [
	modelProperty,
	conversationProperty("The prospect's message, or the whole conversation as text (one message per line)"),
	businessNameProperty('The business the prospect is interested in (or not)'),
	contextProperty('What the business sells and what makes a lead hot for it (budget, area, timing...)'),
	optionsProperty(DEFAULTS),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['text'], operation: ['classify'] } },
	properties,
);

/**
 * Adds `classification`: `temperature` (hot, warm or cold), the model's one-sentence `reason`, and its usage and
 * cost. An answer that is not the expected JSON fails the item with a node error quoting it.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await completeEachItem.call(this, items, {
		resultField: 'classification',
		textParameter: 'conversation',
		whenBlank: { fail: 'There is no conversation to classify' },
		defaults: DEFAULTS,
		prompt: (itemIndex, conversation) => ({
			messages: buildClassifyMessages({
				conversation,
				businessName: String(this.getNodeParameter('businessName', itemIndex, '') ?? ''),
				context: String(this.getNodeParameter('context', itemIndex, '') ?? ''),
			}),
			parse: parseClassification,
		}),
	});
}
