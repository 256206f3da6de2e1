import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { asString, isRecord } from '../../../shared/json';
import { shownWhenDefinedBelow } from '../../../shared/properties';
import { parseQualifiedReply } from '../../helpers/answers';
import { buildReplyMessages, type ChatMessage } from '../../helpers/prompts';
import {
	businessNameProperty,
	completeEachItem,
	contextProperty,
	modelProperty,
	optionsProperty,
	type ModelQuestion,
	type WithoutCall,
} from './common';

const DEFAULTS = { maxTokens: 500, temperature: 0.7 };

const properties: INodeProperties[] = [
	modelProperty,
	{
		displayName: 'Prompt',
		name: 'promptSource',
		type: 'options',
		options: [
			{
				name: 'Define Below',
				value: 'define',
				description: 'Business name, message and context from the fields below',
			},
			{
				name: 'From SkyBot Scenario',
				value: 'scenario',
				description:
					"The item's admission (SkyBot Scenario › Decide): the agent's prompt and the conversation so far, trimmed to the token budget; a fixed or cached reply is passed on without a model call",
			},
		],
		default: 'define',
	},
	...shownWhenDefinedBelow('promptSource', [
		businessNameProperty('The business the assistant speaks for'),
		{
			displayName: 'Message',
			name: 'message',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '={{ $json.text }}',
			description: 'The customer\'s message to answer. Empty → no API call and an empty reply.',
		},
		contextProperty('Facts the reply may use: offer, prices, opening hours, links'),
	]),
	withSystemPrompt(optionsProperty(DEFAULTS)),
];

export const description = updateDisplayOptions({ show: { resource: ['text'], operation: ['reply'] } }, properties);

/** Reply's options: the shared ones plus a replacement for the default instructions. */
function withSystemPrompt(options: INodeProperties): INodeProperties {
	const systemPrompt: INodeProperties = {
		displayName: 'System Prompt',
		name: 'systemPrompt',
		type: 'string',
		typeOptions: { rows: 6 },
		default: '',
		description:
			"Replaces the default instructions (sales assistant replying in the customer's language); the context is still appended",
	};
	// n8n lists a collection's options alphabetically: System Prompt goes just before Temperature.
	const all = [...(options.options as INodeProperties[])];
	all.splice(all.findIndex((option) => option.name === 'temperature'), 0, systemPrompt);
	return { ...options, options: all };
}

/** Adds `ai`: the reply text, the model that wrote it, token usage and its estimated cost. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await completeEachItem.call(this, items, {
		resultField: 'ai',
		textParameter: 'message',
		// Nothing to answer (e.g. an image without caption): no API call; SkyBot Decision skips the empty reply.
		whenBlank: { withoutCall: { text: '' } },
		defaults: DEFAULTS,
		fromItem: (item, itemIndex) =>
			this.getNodeParameter('promptSource', itemIndex, 'define') === 'scenario'
				? admissionQuestion.call(this, item, itemIndex)
				: undefined,
		prompt: (itemIndex, message, options) => ({
			messages: buildReplyMessages({
				businessName: String(this.getNodeParameter('businessName', itemIndex, '') ?? ''),
				message,
				context: String(this.getNodeParameter('context', itemIndex, '') ?? ''),
				systemPrompt: options.systemPrompt,
			}),
			parse: (text) => ({ text }),
		}),
	});
}

/**
 * The reply SkyBot Scenario › Decide prepared: its fixed (or cached) text as the result, without a call, or its chat
 * messages as the question.
 */
function admissionQuestion(this: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): ModelQuestion | WithoutCall {
	const admission = isRecord(item.json.admission) ? item.json.admission : undefined;
	const known = admission && isRecord(admission.reply) ? admission.reply : undefined;
	const text = known && asString(known.text);
	if (known && text !== undefined) {
		const model = asString(known.model);
		return { withoutCall: { text, source: asString(known.source) ?? 'fixed', ...(model ? { model } : {}) } };
	}
	const messages = admission && isRecord(admission.ai) && Array.isArray(admission.ai.messages) ? admission.ai.messages : undefined;
	if (!messages?.length) {
		throw new NodeOperationError(this.getNode(), 'The item has no admission to answer: put SkyBot Scenario › Decide before this node', {
			itemIndex,
		});
	}
	if (isRecord(admission?.ai) && admission.ai.answerFormat === 'qualification') {
		return {
			messages: messages as unknown as ChatMessage[],
			jsonMode: true,
			parse: (answer) => ({ ...parseQualifiedReply(answer), source: 'model' }),
		};
	}
	return { messages: messages as unknown as ChatMessage[], parse: (answer) => ({ text: answer, source: 'model' }) };
}
