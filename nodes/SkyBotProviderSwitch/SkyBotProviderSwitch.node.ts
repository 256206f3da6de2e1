import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { Provider } from '../../contracts/inbound-message';
import { isRecord } from '../shared/json';

/** Which output each provider's messages leave by: the node that sends its replies sits behind it. */
const OUTPUT_OF: Record<Provider, number | undefined> = {
	messenger: 0,
	instagram: 0,
	whatsapp: 0,
	tiktok: 1,
	youtube: 2,
	linkedin: undefined,
};

/**
 * Sends each SkyBot inbound-message item to the output of its provider (Meta, TikTok, YouTube), so one pipeline
 * serves every channel and each reply goes out through its provider's node. It reads `provider` from the item in code:
 * a Switch node would need an expression per item, and the pipeline evaluates none. An item of a provider with no
 * output (or not a SkyBot item at all) fails that item, never silently goes nowhere.
 */
// A router of items between nodes, with nothing for an AI agent to call.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class SkyBotProviderSwitch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SkyBot Provider Switch',
		name: 'skyBotProviderSwitch',
		icon: { light: 'file:switch.svg', dark: 'file:switch.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Meta · TikTok · YouTube',
		description: 'Route SkyBot inbound-message items by provider: Meta (Messenger, Instagram, WhatsApp), TikTok or YouTube',
		defaults: { name: 'By provider' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Meta', 'TikTok', 'YouTube'],
		properties: [
			{
				displayName: 'Reads <code>provider</code> of each SkyBot inbound-message item: Messenger, Instagram and WhatsApp leave by Meta.',
				name: 'itemNotice',
				type: 'notice',
				default: '',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const outputs: INodeExecutionData[][] = [[], [], []];
		this.getInputData().forEach((item, itemIndex) => {
			const provider = isRecord(item.json) ? item.json.provider : undefined;
			const output = typeof provider === 'string' ? OUTPUT_OF[provider as Provider] : undefined;
			if (output !== undefined) {
				outputs[output]!.push({ ...item, pairedItem: { item: itemIndex } });
				return;
			}
			const error = new NodeOperationError(
				this.getNode(),
				typeof provider === 'string'
					? `No output for provider "${provider}": this pipeline answers Meta, TikTok and YouTube`
					: 'The item is not a SkyBot inbound message (it has no provider)',
				{ itemIndex },
			);
			// Under "continue", the failed item leaves by the first output with its error, as n8n's own nodes do.
			if (!this.continueOnFail()) throw error;
			outputs[0]!.push({ json: { error: error.message }, pairedItem: { item: itemIndex } });
		});
		return outputs;
	}
}
