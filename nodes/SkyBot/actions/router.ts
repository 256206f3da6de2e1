import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { type OperationsByResource, routeToOperation } from '../../shared/router';
import * as lead from './lead/Lead.resource';
import type { SkyBotNodeMap } from './node.type';
import * as pipeline from './pipeline/Pipeline.resource';

const resources: OperationsByResource<SkyBotNodeMap> = { pipeline, lead };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeToOperation.call(this, resources);
}
