import type { INodeTypeDescription } from 'n8n-workflow';

import * as text from './text/Text.resource';

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
			options: [{ name: 'Text', value: 'text' }],
			default: 'text',
		},
		...text.description,
	],
} satisfies Pick<INodeTypeDescription, 'properties'>;
