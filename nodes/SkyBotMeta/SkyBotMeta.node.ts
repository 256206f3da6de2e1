import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';

export class SkyBotMeta implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Meta',
		name: 'skyBotMeta',
		icon: { light: 'file:meta.svg', dark: 'file:meta.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			"Send replies through the Meta Graph API (Messenger, Instagram, WhatsApp Cloud API): with the Meta App credential's token, or through the SkyBot hub with the page's own token",
		defaults: { name: 'Meta' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'skyBotMetaAppApi', required: true, displayOptions: { show: { authentication: ['metaApp'] } } },
			{ name: 'skyBotHubApi', required: true, displayOptions: { show: { authentication: ['hub'] } } },
		],
		...versionDescription,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
