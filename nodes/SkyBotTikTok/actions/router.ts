import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { type OperationsByResource, routeToOperation } from '../../shared/router';
import * as comment from './comment/Comment.resource';
import * as inbound from './inbound/Inbound.resource';
import * as message from './message/Message.resource';
import type { SkyBotTikTokNodeMap } from './node.type';

const resources: OperationsByResource<SkyBotTikTokNodeMap> = { comment, inbound, message };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeToOperation.call(this, resources);
}
