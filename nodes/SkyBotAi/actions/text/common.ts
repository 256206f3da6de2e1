import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { enrichEachItem } from '../../../shared/execute';
import type { AnswerFormatError } from '../../helpers/answers';
import { CompletionShapeError, readChatCompletion, type AiResult } from '../../helpers/completion';
import type { PriceOverride } from '../../helpers/pricing';
import type { ChatMessage } from '../../helpers/prompts';
import { DEFAULT_MAX_RETRIES, openAiRequest } from '../../transport';

/** What the text operations share: the model field, the options collection and the skeleton they run per item. */

export const modelProperty: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'string',
	default: 'gpt-4o-mini',
	required: true,
	description: 'Chat model name, as the API (or the compatible server set in the credential) knows it',
};

/** Business Name, as the operations whose prompt names the business read it; `description` says what for. */
export function businessNameProperty(description: string): INodeProperties {
	return {
		displayName: 'Business Name',
		name: 'businessName',
		type: 'string',
		default: '',
		placeholder: 'e.g. Atelier Lumière',
		description,
	};
}

/** Context: the business facts appended to an operation's instructions; `description` says which facts count. */
export function contextProperty(description: string): INodeProperties {
	return {
		displayName: 'Context',
		name: 'context',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description,
	};
}

/** Conversation: the text Classify and Summarize read, the inbound message's own text by default. */
export function conversationProperty(description: string): INodeProperties {
	return {
		displayName: 'Conversation',
		name: 'conversation',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '={{ $json.text }}',
		required: true,
		description,
	};
}

export interface CompletionOptions {
	maxTokens?: number;
	temperature?: number;
	inputPricePerMillion?: number;
	outputPricePerMillion?: number;
	/** Ask for response_format json_object (OpenAI and most compatible servers support it). */
	jsonMode?: boolean;
	/** Reply only: replaces its default instructions. */
	systemPrompt?: string;
	/** Retries of a 429 or 5xx answer (the transport's default when unset). */
	maxRetries?: number;
}

/** An operation's Max Tokens and Temperature defaults, and JSON Mode's for the operations whose answer is JSON. */
export interface CompletionDefaults {
	maxTokens: number;
	temperature: number;
	jsonMode?: boolean;
}

/** The Options collection; `jsonMode` is offered only to operations whose answer is JSON. */
export function optionsProperty(defaults: CompletionDefaults): INodeProperties {
	const options: INodeProperties[] = [
		{
			displayName: 'Input Price per Million Tokens (USD)',
			name: 'inputPricePerMillion',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 4 },
			default: 0,
			description: "Overrides the built-in price list for the cost estimate (needed for models it doesn't know)",
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 5 },
			default: DEFAULT_MAX_RETRIES,
			description:
				'How often a call the API answered with 429 (rate limited) or a 5xx error is tried again, waiting as long as its Retry-After asks (at most 20 s) or backing off (about 1 s, 2 s, 4 s …). Then the item fails (the pipeline logs it as ai_failed).',
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

/** A result an operation settles without calling the model (nothing to answer, a number the pattern pass found). */
export interface WithoutCall {
	withoutCall: object;
}

/** What one item asks the model, and how its answer becomes the operation's result. */
export interface ModelQuestion {
	messages: ChatMessage[];
	/** The answer as the result; throws AnswerFormatError when the answer is not in the expected shape. */
	parse(answer: string): object;
	/** The question's own JSON Mode (a structured answer it asks for), over the node's option. */
	jsonMode?: boolean;
}

/** One text operation: which field it adds, which text the model reads, its prompt and its parse. */
export interface TextOperation {
	/** The item field the result goes in, followed by the model's usage and cost (`ai`, `classification`...). */
	resultField: string;
	/** The parameter holding the text the model reads: the message, the conversation. */
	textParameter: string;
	/**
	 * What a blank text means: the item fails with this message, or gets this result without a model call. Left out,
	 * a blank text goes to `prompt` like any other.
	 */
	whenBlank?: { fail: string } | WithoutCall;
	defaults: CompletionDefaults;
	/** Reads and checks the operation's other parameters for this item: the question to the model, or the result. */
	prompt(itemIndex: number, text: string, options: CompletionOptions): ModelQuestion | WithoutCall;
	/**
	 * The question (or the result) the item itself carries, when the operation is set to read it from the item (Reply
	 * after SkyBot Scenario › Decide); undefined → the text parameter and `prompt` as usual.
	 */
	fromItem?(item: INodeExecutionData, itemIndex: number): ModelQuestion | WithoutCall | undefined;
}

/**
 * The skeleton every text operation runs for each item: read the text and settle a blank one, build the prompt,
 * call the model, parse its answer. The item gets `{ [resultField]: { ...result, model, tokens, cost } }`; a
 * failure stops the node, or becomes that item's error under "continue on fail" (enrichEachItem).
 */
export async function completeEachItem(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	operation: TextOperation,
): Promise<INodeExecutionData[]> {
	const { resultField, whenBlank, defaults } = operation;
	return await enrichEachItem.call(this, items, async (item, itemIndex) => {
		const model = String(this.getNodeParameter('model', itemIndex));
		const options = this.getNodeParameter('options', itemIndex, {}) as CompletionOptions;
		let question = operation.fromItem?.(item, itemIndex);
		if (!question) {
			const text = String(this.getNodeParameter(operation.textParameter, itemIndex, '') ?? '');
			if (whenBlank && text.trim() === '') {
				if ('fail' in whenBlank) throw new NodeOperationError(this.getNode(), whenBlank.fail, { itemIndex });
				return { [resultField]: { ...whenBlank.withoutCall, ...noCall(model) } };
			}
			question = operation.prompt(itemIndex, text, options);
		}
		if ('withoutCall' in question) return { [resultField]: { ...noCall(model), ...question.withoutCall } };

		const jsonMode = question.jsonMode ?? options.jsonMode ?? defaults.jsonMode;
		const { text: answer, ...usage } = await complete.call(this, itemIndex, {
			model,
			messages: question.messages,
			options: { ...options, jsonMode },
			defaults,
		});
		let result: object;
		try {
			result = question.parse(answer);
		} catch (error) {
			// The parsers throw AnswerFormatError only.
			throw answerError.call(this, itemIndex, (error as AnswerFormatError).message);
		}
		return { [resultField]: { ...result, ...usage } };
	});
}

/** The usage and cost part of AiResult, with zero tokens: what an operation reports when it made no API call. */
function noCall(model: string): Omit<AiResult, 'text'> {
	return { model, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 };
}

/** One chat completion through the node's transport; a 200 without a usable answer is a node error for that item. */
async function complete(
	this: IExecuteFunctions,
	itemIndex: number,
	request: { model: string; messages: ChatMessage[]; options: CompletionOptions; defaults: CompletionDefaults },
): Promise<AiResult> {
	const { model, messages, options, defaults } = request;
	const body: IDataObject = {
		model,
		messages: messages as unknown as IDataObject[],
		max_tokens: options.maxTokens ?? defaults.maxTokens,
		temperature: options.temperature ?? defaults.temperature,
	};
	if (options.jsonMode) body.response_format = { type: 'json_object' };

	const prices: PriceOverride = {};
	if (options.inputPricePerMillion) prices.inputPerMillion = options.inputPricePerMillion;
	if (options.outputPricePerMillion) prices.outputPerMillion = options.outputPricePerMillion;

	const response = await openAiRequest.call(this, '/chat/completions', body, itemIndex, options.maxRetries);
	try {
		return readChatCompletion(response, model, prices);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as CompletionShapeError).message, { itemIndex });
	}
}

/** An answer the model gave in the wrong shape: a node error that quotes it (the parser's message). */
function answerError(this: IExecuteFunctions, itemIndex: number, message: string): NodeOperationError {
	return new NodeOperationError(this.getNode(), message, {
		itemIndex,
		description: 'The model answered, but not in the expected format. Try another model, or turn JSON Mode on.',
	});
}
