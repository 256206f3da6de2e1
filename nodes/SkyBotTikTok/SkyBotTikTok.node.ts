import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';

/**
 * TikTok replies in the hub-held-token mode: the hub makes the TikTok API for Business call with the token of the
 * tenant that connected the business account, so this node needs the SkyBot Hub API credential only.
 */
export class SkyBotTikTok implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok',
		name: 'skyBotTikTok',
		icon: { light: 'file:tiktok.svg', dark: 'file:tiktok.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Reply to TikTok comments and send TikTok DMs through the SkyBot hub, with the tenant’s own TikTok account',
		defaults: { name: 'TikTok' },
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
