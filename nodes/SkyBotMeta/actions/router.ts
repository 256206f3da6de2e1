import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { type OperationsByResource, routeToOperation } from '../../shared/router';
import * as message from './message/Message.resource';
import type { SkyBotMetaNodeMap } from './node.type';

const resources: OperationsByResource<SkyBotMetaNodeMap> = { message };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeToOperation.call(this, resources);
}
