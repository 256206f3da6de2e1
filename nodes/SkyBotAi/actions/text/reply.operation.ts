import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { buildReplyMessages } from '../../helpers/prompts';
import { businessNameProperty, completeEachItem, contextProperty, modelProperty, optionsProperty } from './common';

const DEFAULTS = { maxTokens: 500, temperature: 0.7 };

const properties: INodeProperties[] = [
	modelProperty,
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
