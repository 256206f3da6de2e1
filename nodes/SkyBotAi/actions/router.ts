import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { type OperationsByResource, routeToOperation } from '../../shared/router';
import type { SkyBotAiNodeMap } from './node.type';
import * as text from './text/Text.resource';

const resources: OperationsByResource<SkyBotAiNodeMap> = { text };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeToOperation.call(this, resources);
}
