import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { parseSummary } from '../../helpers/answers';
import { buildSummaryMessages } from '../../helpers/prompts';
import { completeEachItem, conversationProperty, modelProperty, optionsProperty } from './common';

const DEFAULTS = { maxTokens: 300, temperature: 0.2, jsonMode: true };
const MAX_POINTS = 10;

const properties: INodeProperties[] = [
	modelProperty,
	conversationProperty('The conversation as text, one message per line (e.g. "Customer: …" / "Us: …")'),
	{
		displayName: 'Number of Points',
		name: 'pointCount',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_POINTS },
		default: 3,
		description: 'How many key points at most',
	},
	optionsProperty(DEFAULTS),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['text'], operation: ['summarize'] } },
	properties,
);

/**
 * Adds `summary`: the key `points`, the same points as a bulleted `text` (what SkyBot's Upsert Lead stores), and the
 * model's usage and cost. An answer that is not the expected JSON fails the item with a node error quoting it.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await completeEachItem.call(this, items, {
		resultField: 'summary',
		textParameter: 'conversation',
		whenBlank: { fail: 'There is no conversation to summarise' },
		defaults: DEFAULTS,
		prompt: (itemIndex, conversation) => {
			const pointCount = Number(this.getNodeParameter('pointCount', itemIndex, 3));
			if (!Number.isInteger(pointCount) || pointCount < 1 || pointCount > MAX_POINTS) {
				throw new NodeOperationError(this.getNode(), `Number of Points must be a whole number from 1 to ${MAX_POINTS}`, {
					itemIndex,
				});
			}
			return {
				messages: buildSummaryMessages({ conversation, pointCount }),
				parse: (answer) => parseSummary(answer, pointCount),
			};
		},
	});
}
