import type { INodeTypeDescription } from 'n8n-workflow';

import { authenticationProperty, hubAccountIdProperty } from '../helpers/properties';
import * as comment from './comment/Comment.resource';

/**
 * The operations of version 1. The node's identity (name, icon, credentials, connections) stays in the node class
 * itself, where n8n's community-node lint rules look for it.
 */
export const versionDescription = {
	properties: [
		authenticationProperty,
		hubAccountIdProperty,
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [{ name: 'Comment', value: 'comment' }],
			default: 'comment',
		},
		...comment.description,
	],
} satisfies Pick<INodeTypeDescription, 'properties'>;
