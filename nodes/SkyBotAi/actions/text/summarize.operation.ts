import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { enrichEachItem } from '../../../shared/execute';
import { type AnswerFormatError, parseSummary } from '../../helpers/answers';
import { buildSummaryMessages } from '../../helpers/prompts';
import { answerError, complete, modelProperty, optionsProperty, type CompletionOptions } from './common';

const DEFAULTS = { maxTokens: 300, temperature: 0.2, jsonMode: true };
const MAX_POINTS = 10;

const properties: INodeProperties[] = [
	modelProperty,
	{
		displayName: 'Conversation',
		name: 'conversation',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '={{ $json.text }}',
		required: true,
		description: 'The conversation as text, one message per line (e.g. "Customer: …" / "Us: …")',
	},
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
	return await enrichEachItem.call(this, items, async (_item, itemIndex) => {
		const model = String(this.getNodeParameter('model', itemIndex));
		const conversation = String(this.getNodeParameter('conversation', itemIndex, '') ?? '');
		if (conversation.trim() === '') {
			throw new NodeOperationError(this.getNode(), 'There is no conversation to summarise', { itemIndex });
		}
		const pointCount = Number(this.getNodeParameter('pointCount', itemIndex, 3));
		if (!Number.isInteger(pointCount) || pointCount < 1 || pointCount > MAX_POINTS) {
			throw new NodeOperationError(this.getNode(), `Number of Points must be a whole number from 1 to ${MAX_POINTS}`, {
				itemIndex,
			});
		}
		const { jsonMode = DEFAULTS.jsonMode, ...options } = this.getNodeParameter('options', itemIndex, {}) as CompletionOptions;

		const { text: answer, ...usage } = await complete.call(this, itemIndex, {
			model,
			messages: buildSummaryMessages({ conversation, pointCount }),
			options: { ...options, jsonMode },
			defaultMaxTokens: DEFAULTS.maxTokens,
			defaultTemperature: DEFAULTS.temperature,
		});
		try {
			return { summary: { ...parseSummary(answer, pointCount), ...usage } };
		} catch (error) {
			// The parser throws AnswerFormatError only.
			throw answerError.call(this, itemIndex, (error as AnswerFormatError).message);
		}
	});
}
