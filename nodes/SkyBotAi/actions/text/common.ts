import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CompletionShapeError, readChatCompletion, type AiResult } from '../../helpers/completion';
import type { PriceOverride } from '../../helpers/pricing';
import type { ChatMessage } from '../../helpers/prompts';
import { openAiRequest } from '../../transport';

/** What the operations other than `reply` share: the model field, the options collection and the API call. */

export const modelProperty: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'string',
	default: 'gpt-4o-mini',
	required: true,
	description: 'Chat model name, as the API (or the compatible server set in the credential) knows it',
};

export interface CompletionOptions {
	maxTokens?: number;
	temperature?: number;
	inputPricePerMillion?: number;
	outputPricePerMillion?: number;
	/** Ask for response_format json_object (OpenAI and most compatible servers support it). */
	jsonMode?: boolean;
}

/** The Options collection; `jsonMode` is offered only to operations whose answer is JSON. */
export function optionsProperty(defaults: { maxTokens: number; temperature: number; jsonMode?: boolean }): INodeProperties {
	const options: INodeProperties[] = [
		{
			displayName: 'Input Price per Million Tokens (USD)',
			name: 'inputPricePerMillion',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 4 },
			default: 0,
			description: "Overrides the built-in price list for the cost estimate (needed for models it doesn't know)",
		},
		// Each operation has its own default (the lint rule only recognises literal defaults).
		// eslint-disable-next-line n8n-nodes-base/node-param-default-missing
		{
			displayName: 'Max Tokens',
			name: 'maxTokens',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: defaults.maxTokens,
			description: 'Upper bound on the length of the answer',
		},
		{
			displayName: 'Output Price per Million Tokens (USD)',
			name: 'outputPricePerMillion',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 4 },
			default: 0,
			description: "Overrides the built-in price list for the cost estimate (needed for models it doesn't know)",
		},
		// eslint-disable-next-line n8n-nodes-base/node-param-default-missing
		{
			displayName: 'Temperature',
			name: 'temperature',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 1 },
			default: defaults.temperature,
		},
	];
	if (defaults.jsonMode !== undefined) {
		// eslint-disable-next-line n8n-nodes-base/node-param-default-missing
		options.unshift({
			displayName: 'JSON Mode',
			name: 'jsonMode',
			type: 'boolean',
			default: defaults.jsonMode,
			description:
				'Whether to ask the API for a JSON object (response_format json_object). Turn off for a compatible server that does not support it; the answer is parsed strictly either way.',
		});
	}
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options,
	};
}

/** The usage and cost part of AiResult, with zero tokens: what an operation reports when it made no API call. */
export function noCall(model: string): Omit<AiResult, 'text'> {
	return { model, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 };
}

/** One chat completion through the node's transport; a 200 without a usable answer is a node error for that item. */
export async function complete(
	this: IExecuteFunctions,
	itemIndex: number,
	request: { model: string; messages: ChatMessage[]; options: CompletionOptions; defaultMaxTokens: number; defaultTemperature: number },
): Promise<AiResult> {
	const { model, messages, options } = request;
	const body: IDataObject = {
		model,
		messages: messages as unknown as IDataObject[],
		max_tokens: options.maxTokens ?? request.defaultMaxTokens,
		temperature: options.temperature ?? request.defaultTemperature,
	};
	if (options.jsonMode) body.response_format = { type: 'json_object' };

	const prices: PriceOverride = {};
	if (options.inputPricePerMillion) prices.inputPerMillion = options.inputPricePerMillion;
	if (options.outputPricePerMillion) prices.outputPerMillion = options.outputPricePerMillion;

	const response = await openAiRequest.call(this, '/chat/completions', body, itemIndex);
	try {
		return readChatCompletion(response, model, prices);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as CompletionShapeError).message, { itemIndex });
	}
}

/** An answer the model gave in the wrong shape: a node error that quotes it (the parser's message). */
export function answerError(this: IExecuteFunctions, itemIndex: number, message: string): NodeOperationError {
	return new NodeOperationError(this.getNode(), message, {
		itemIndex,
		description: 'The model answered, but not in the expected format. Try another model, or turn JSON Mode on.',
	});
}
