import type { INodeTypeDescription } from 'n8n-workflow';

import * as comment from './comment/Comment.resource';
import * as inbound from './inbound/Inbound.resource';
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
				{ name: 'Inbound Message', value: 'inbound' },
				{ name: 'Message', value: 'message' },
			],
			default: 'comment',
		},
		...comment.description,
		...inbound.description,
		...message.description,
	],
} satisfies Pick<INodeTypeDescription, 'properties'>;
