import type { INodeProperties } from 'n8n-workflow';

import * as classify from './classify.operation';
import * as extractPhone from './extractPhone.operation';
import * as followUp from './followUp.operation';
import * as reply from './reply.operation';
import * as summarize from './summarize.operation';

export { classify, extractPhone, followUp, reply, summarize };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['text'] } },
		options: [
			{
				name: 'Classify',
				value: 'classify',
				description: 'Rate the prospect hot, warm or cold from the conversation',
				action: 'Classify a prospect',
			},
			{
				name: 'Extract Phone',
				value: 'extractPhone',
				description: 'Find the phone number in the text, normalised to international format',
				action: 'Extract a phone number',
			},
			{
				name: 'Follow Up',
				value: 'followUp',
				description: 'Write a follow-up message to a prospect who went silent',
				action: 'Write a follow up',
			},
			{
				name: 'Reply',
				value: 'reply',
				description: "Write a reply to the customer's message, in the customer's language",
				action: 'Reply to a message',
			},
			{
				name: 'Summarize',
				value: 'summarize',
				description: 'Sum the conversation up in a few key points',
				action: 'Summarize a conversation',
			},
		],
		default: 'reply',
	},
	...reply.description,
	...extractPhone.description,
	...classify.description,
	...followUp.description,
	...summarize.description,
];
