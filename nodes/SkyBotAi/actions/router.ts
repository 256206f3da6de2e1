import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { SkyBotAiType } from './node.type';
import * as text from './text/Text.resource';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const skyBotAi = {
		resource: this.getNodeParameter('resource', 0),
		operation: this.getNodeParameter('operation', 0),
	} as SkyBotAiType;

	switch (skyBotAi.resource) {
		case 'text':
			return [await text[skyBotAi.operation].execute.call(this, items)];
		default:
			throw new NodeOperationError(this.getNode(), `The resource "${String(skyBotAi.resource)}" is not supported`);
	}
}
