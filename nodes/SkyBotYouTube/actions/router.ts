import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { type OperationsByResource, routeToOperation } from '../../shared/router';
import * as comment from './comment/Comment.resource';
import type { SkyBotYouTubeNodeMap } from './node.type';

const resources: OperationsByResource<SkyBotYouTubeNodeMap> = { comment };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeToOperation.call(this, resources);
}
