import type { INodeProperties } from 'n8n-workflow';

import * as reply from './reply.operation';

export { reply };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['comment'] } },
		options: [
			{
				name: 'Reply to Comment',
				value: 'reply',
				description: 'Answer a comment on one of the business account’s videos, publicly',
				action: 'Reply to a comment',
			},
		],
		default: 'reply',
	},
	...reply.description,
];
