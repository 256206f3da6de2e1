import type { INodeProperties } from 'n8n-workflow';

import * as answer from './answer.operation';

export { answer };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['inbound'] } },
		options: [
			{
				name: 'Answer',
				value: 'answer',
				description: 'Reply to the inbound comment, or message back in the inbound DM’s conversation, with the AI’s reply',
				action: 'Answer an inbound message',
			},
		],
		default: 'answer',
	},
	...answer.description,
];
