import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';
import { youTubeCredentials } from './helpers/properties';

export class SkyBotYouTube implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'YouTube',
		name: 'skyBotYouTube',
		icon: { light: 'file:youtube.svg', dark: 'file:youtube.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			"Reply to YouTube comments (comments.insert) with n8n's YouTube OAuth2 credential or the token the SkyBot Hub holds",
		defaults: { name: 'YouTube' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: youTubeCredentials,
		...versionDescription,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
