import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';

export class SkyBot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SkyBot',
		name: 'skyBot',
		icon: { light: 'file:skybot.svg', dark: 'file:skybot.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Route inbound messages to their agent, check plan quotas, log interactions and keep leads in SkyBot Hub',
		defaults: { name: 'SkyBot' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'skyBotHubApi', required: true }],
		...versionDescription,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
