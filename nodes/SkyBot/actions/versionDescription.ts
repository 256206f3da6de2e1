import type { INodeTypeDescription } from 'n8n-workflow';

import * as lead from './lead/Lead.resource';
import * as pipeline from './pipeline/Pipeline.resource';

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
				{ name: 'Lead', value: 'lead' },
				{ name: 'Pipeline', value: 'pipeline' },
			],
			default: 'pipeline',
		},
		...pipeline.description,
		...lead.description,
	],
} satisfies Pick<INodeTypeDescription, 'properties'>;
