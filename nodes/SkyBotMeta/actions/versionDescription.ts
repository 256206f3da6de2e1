import type { INodeTypeDescription } from 'n8n-workflow';

import * as message from './message/Message.resource';

/**
 * The operations of version 1. The node's identity (name, icon, credentials, connections) stays in the node class
 * itself, where n8n's community-node lint rules look for it.
 */
export const versionDescription = {
	properties: [
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{
					name: 'Meta App Credential',
					value: 'metaApp',
					description: "Call Graph with the Meta App credential's access token (one token for the pages it covers)",
				},
				{
					name: 'Hub-Held Token',
					value: 'hub',
					description:
						"The SkyBot hub sends with the page's own token (the tenant connected it through OAuth) or the operator's; n8n never sees one",
				},
			],
			default: 'metaApp',
		},
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [{ name: 'Message', value: 'message' }],
			default: 'message',
		},
		...message.description,
	],
} satisfies Pick<INodeTypeDescription, 'properties'>;
