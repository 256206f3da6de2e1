import type { INodeProperties } from 'n8n-workflow';

import * as send from './send.operation';

export { send };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{
				name: 'Send Message',
				value: 'send',
				description: 'Send a DM to a user who wrote to the business account first',
				action: 'Send a message',
			},
		],
		default: 'send',
	},
	...send.description,
];
