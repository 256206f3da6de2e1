import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as message from './message/Message.resource';
import type { SkyBotMetaType } from './node.type';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const skyBotMeta = {
		resource: this.getNodeParameter('resource', 0),
		operation: this.getNodeParameter('operation', 0),
	} as SkyBotMetaType;

	switch (skyBotMeta.resource) {
		case 'message':
			return [await message[skyBotMeta.operation].execute.call(this, items)];
		default:
			throw new NodeOperationError(this.getNode(), `The resource "${String(skyBotMeta.resource)}" is not supported`);
	}
}
