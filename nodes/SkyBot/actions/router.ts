import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { SkyBotType } from './node.type';
import * as lead from './lead/Lead.resource';
import * as pipeline from './pipeline/Pipeline.resource';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const skyBot = {
		resource: this.getNodeParameter('resource', 0),
		operation: this.getNodeParameter('operation', 0),
	} as SkyBotType;

	switch (skyBot.resource) {
		case 'pipeline':
			return [await pipeline[skyBot.operation].execute.call(this, items)];
		case 'lead':
			return [await lead[skyBot.operation].execute.call(this, items)];
		default:
			// Every known resource is handled above, so TypeScript narrows skyBot to never here.
			throw new NodeOperationError(
				this.getNode(),
				`The resource "${String((skyBot as { resource: unknown }).resource)}" is not supported`,
			);
	}
}
