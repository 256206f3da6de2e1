import type { INodeTypeDescription } from 'n8n-workflow';

import * as comment from './comment/Comment.resource';
import * as message from './message/Message.resource';

/**
 * The operations of version 1. The node's identity (name, icon, credentials, connections) stays in the node class
 * itself, where n8n's community-node lint rules look for it.
 */
export const versionDescription = {
	properties: [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Comment', value: 'comment' },
				{ name: 'Message', value: 'message' },
			],
			default: 'comment',
		},
		...comment.description,
		...message.description,
	],
} satisfies Pick<INodeTypeDescription, 'properties'>;
