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
				name: 'Reply',
				value: 'reply',
				description: 'Reply to a top-level comment on one of the channel\'s videos',
				action: 'Reply to a comment',
			},
		],
		default: 'reply',
	},
	...reply.description,
];
