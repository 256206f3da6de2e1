import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';

export class SkyBotAi implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SkyBot AI',
		name: 'skyBotAi',
		icon: { light: 'file:ai.svg', dark: 'file:ai.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'AI steps of the SkyBot pipeline on any OpenAI-compatible chat API: reply, extract a phone number, classify, follow up, summarise',
		defaults: { name: 'SkyBot AI' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			// n8n's built-in OpenAI credential, deliberately reused (one key, one base URL for every OpenAI node of
			// the instance) rather than cloned. n8n Cloud's verification forbids this, which this package accepts.
			// eslint-disable-next-line @n8n/community-nodes/no-credential-reuse, @n8n/community-nodes/valid-credential-references
			{ name: 'openAiApi', required: true },
		],
		...versionDescription,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
