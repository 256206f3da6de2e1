import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { router as skyBotAiRouter } from '../../../nodes/SkyBotAi/actions/router';
import { routeToOperation } from '../../../nodes/shared/router';

const node: INode = { id: 'n', name: 'Step', type: 'n8n-nodes-skybot.skyBotAi', typeVersion: 1, position: [0, 0], parameters: {} };
const items: INodeExecutionData[] = [{ json: { text: 'Bonjour' } }];

function contextSelecting(resource: string, operation: string): IExecuteFunctions {
	const parameters: Record<string, string> = { resource, operation };
	return {
		getNode: () => node,
		getInputData: () => items,
		getNodeParameter: (name: string) => parameters[name],
	} as unknown as IExecuteFunctions;
}

describe('routeToOperation (every node router)', () => {
	it("runs the selected operation on all input items with the node's context, to one output", async () => {
		const context = contextSelecting('message', 'send');
		const seen: unknown[] = [];
		const send = {
			async execute(this: IExecuteFunctions, input: INodeExecutionData[]) {
				seen.push(this, input);
				return [{ json: { sent: true } }];
			},
		};

		await expect(routeToOperation.call(context, { message: { send } })).resolves.toEqual([[{ json: { sent: true } }]]);
		expect(seen).toEqual([context, items]);
	});

	it('refuses a resource or an operation the node does not have, naming it', async () => {
		const unknownResource = skyBotAiRouter.call(contextSelecting('image', 'reply'));
		await expect(unknownResource).rejects.toBeInstanceOf(NodeOperationError);
		await expect(unknownResource).rejects.toThrow('The resource "image" is not supported');
		// A Resource module exports its `description` next to its operations: that name is no operation.
		for (const operation of ['description', 'translate', 'toString']) {
			const unknownOperation = skyBotAiRouter.call(contextSelecting('text', operation));
			await expect(unknownOperation).rejects.toBeInstanceOf(NodeOperationError);
			await expect(unknownOperation).rejects.toThrow(`The operation "${operation}" is not supported for "text"`);
		}
	});
});
