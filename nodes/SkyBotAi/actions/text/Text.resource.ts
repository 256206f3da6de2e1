import type { INodeProperties } from 'n8n-workflow';

import * as reply from './reply.operation';

export { reply };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['text'] } },
		options: [
			{
				name: 'Reply',
				value: 'reply',
				description: "Write a reply to the customer's message, in the customer's language",
				action: 'Reply to a message',
			},
		],
		default: 'reply',
	},
	...reply.description,
];
