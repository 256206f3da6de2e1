import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { enrichEachItem } from '../../../shared/execute';
import { CompletionShapeError, readChatCompletion, type AiResult } from '../../helpers/completion';
import type { PriceOverride } from '../../helpers/pricing';
import { buildReplyMessages } from '../../helpers/prompts';
import { openAiRequest } from '../../transport';

export const DEFAULT_MAX_TOKENS = 500;

const properties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'string',
		default: 'gpt-4o-mini',
		required: true,
		description: 'Chat model name, as the API (or the compatible server set in the credential) knows it',
	},
	{
		displayName: 'Business Name',
		name: 'businessName',
		type: 'string',
		default: '',
		placeholder: 'e.g. Atelier Lumière',
		description: 'The business the assistant speaks for',
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.text }}',
		description: 'The customer\'s message to answer. Empty → no API call and an empty reply.',
	},
	{
		displayName: 'Context',
		name: 'context',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'Facts the reply may use: offer, prices, opening hours, links',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Input Price per Million Tokens (USD)',
				name: 'inputPricePerMillion',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 4 },
				default: 0,
				description: "Overrides the built-in price list for the cost estimate (needed for models it doesn't know)",
			},
			{
				displayName: 'Max Tokens',
				name: 'maxTokens',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_MAX_TOKENS,
				description: 'Upper bound on the length of the reply',
			},
			{
				displayName: 'Output Price per Million Tokens (USD)',
				name: 'outputPricePerMillion',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 4 },
				default: 0,
				description: "Overrides the built-in price list for the cost estimate (needed for models it doesn't know)",
			},
			{
				displayName: 'System Prompt',
				name: 'systemPrompt',
				type: 'string',
				typeOptions: { rows: 6 },
				default: '',
				description:
					"Replaces the default instructions (sales assistant replying in the customer's language); the context is still appended",
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 1 },
				default: 0.7,
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['text'], operation: ['reply'] } }, properties);

interface ReplyOptions {
	systemPrompt?: string;
	temperature?: number;
	maxTokens?: number;
	inputPricePerMillion?: number;
	outputPricePerMillion?: number;
}

/** Adds `ai`: the reply text, the model that wrote it, token usage and its estimated cost. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (_item, itemIndex) => {
		const model = String(this.getNodeParameter('model', itemIndex));
		const message = String(this.getNodeParameter('message', itemIndex, '') ?? '');
		const options = this.getNodeParameter('options', itemIndex, {}) as ReplyOptions;

		if (message.trim() === '') {
			// Nothing to answer (e.g. an image without caption): no API call; SkyBot Decision skips the empty reply.
			const empty: AiResult = { text: '', model, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 };
			return { ai: { ...empty } };
		}

		const body: IDataObject = {
			model,
			messages: buildReplyMessages({
				businessName: String(this.getNodeParameter('businessName', itemIndex, '') ?? ''),
				message,
				context: String(this.getNodeParameter('context', itemIndex, '') ?? ''),
				systemPrompt: options.systemPrompt,
			}) as unknown as IDataObject[],
			// max_tokens rather than max_completion_tokens: every OpenAI-compatible server understands it.
			max_tokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
		};
		if (options.temperature !== undefined) body.temperature = options.temperature;

		const prices: PriceOverride = {};
		if (options.inputPricePerMillion) prices.inputPerMillion = options.inputPricePerMillion;
		if (options.outputPricePerMillion) prices.outputPerMillion = options.outputPricePerMillion;

		const response = await openAiRequest.call(this, '/chat/completions', body, itemIndex);
		try {
			return { ai: { ...readChatCompletion(response, model, prices) } };
		} catch (error) {
			// A 200 without a usable reply (no choices, refusal, no content) is the model's failure, not the node's.
			throw new NodeOperationError(this.getNode(), (error as CompletionShapeError).message, { itemIndex });
		}
	});
}
