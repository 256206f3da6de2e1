import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { SkyBotProviderSwitch } from '../../../nodes/SkyBotProviderSwitch/SkyBotProviderSwitch.node';

function run(items: INodeExecutionData[], continueOnFail = false) {
	const context = {
		getInputData: () => items,
		getNode: () => ({ name: 'By provider', type: 'n8n-nodes-skybot.skyBotProviderSwitch' }),
		continueOnFail: () => continueOnFail,
	} as unknown as IExecuteFunctions;
	return new SkyBotProviderSwitch().execute.call(context);
}

const item = (provider: string, messageId = 'm1') => ({ json: { provider, messageId, kind: 'dm' } });

describe('SkyBot Provider Switch', () => {
	it('sends Meta, TikTok and YouTube items to their outputs, pairing each with its input', async () => {
		const [meta, tiktok, youtube] = await run([item('instagram', 'a'), item('tiktok', 'b'), item('youtube', 'c'), item('messenger', 'd'), item('whatsapp', 'e')]);
		expect(meta!.map((out) => [out.json.messageId, out.pairedItem])).toEqual([
			['a', { item: 0 }],
			['d', { item: 3 }],
			['e', { item: 4 }],
		]);
		expect(tiktok!.map((out) => out.json.messageId)).toEqual(['b']);
		expect(youtube!.map((out) => out.json.messageId)).toEqual(['c']);
	});

	it('fails an item no output serves (LinkedIn, no provider) instead of dropping it', async () => {
		await expect(run([item('linkedin')])).rejects.toThrow('No output for provider "linkedin": this pipeline answers Meta, TikTok and YouTube');
		await expect(run([item('linkedin')])).rejects.toBeInstanceOf(NodeOperationError);
		await expect(run([{ json: { text: 'hi' } }])).rejects.toThrow('The item is not a SkyBot inbound message (it has no provider)');
	});

	it('under continue-on-fail, keeps the failed item with its error and routes the others', async () => {
		const [meta, tiktok] = await run([item('linkedin'), item('tiktok')], true);
		expect(meta).toEqual([{ json: { error: 'No output for provider "linkedin": this pipeline answers Meta, TikTok and YouTube' }, pairedItem: { item: 0 } }]);
		expect(tiktok!.map((out) => out.json.provider)).toEqual(['tiktok']);
	});
});
