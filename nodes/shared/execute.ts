import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { toItemError } from './item-error';

type NodeItemError = NodeApiError | NodeOperationError;

/** Any thrown value as an n8n node error that knows which item failed. */
function asNodeError(node: INode, error: unknown, itemIndex: number): NodeItemError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	const cause = error instanceof Error ? error : new Error(String(error));
	return new NodeOperationError(node, cause, { itemIndex });
}

/**
 * The item a step emits for a failed input item under "continue on fail". It must reach the next step with the
 * InboundMessage fields and the original error message:
 * - "continue (using error output)": n8n moves an item whose json holds only `error` to the error output and
 *   merges the paired input item's json back under it (WorkflowExecute.handleNodeErrorOutput), so `{error}` alone
 *   arrives there as `{...input json, error}`. Setting `item.error` instead would make n8n replace the json with
 *   `{error: message}` (WorkflowExecute.normalizeNodeErrors) and lose the message being processed.
 * - "continue (regular output)": nothing is merged, so the item carries the input json itself.
 */
function failedItem(
	node: INode,
	item: INodeExecutionData,
	error: NodeItemError,
	itemIndex: number,
): INodeExecutionData {
	const itemError = toItemError(error) as unknown as IDataObject;
	const json = node.onError === 'continueErrorOutput' ? { error: itemError } : { ...item.json, error: itemError };
	return { json, pairedItem: { item: itemIndex } };
}

/**
 * What becomes of an input item that failed: the node error that stops the node, thrown, or, when the node is set
 * to continue on fail, the failed item to emit in its place.
 */
export function failedItemOrThrow(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	error: unknown,
	itemIndex: number,
): INodeExecutionData {
	const nodeError = asNodeError(this.getNode(), error, itemIndex);
	if (!this.continueOnFail()) throw nodeError;
	return failedItem(this.getNode(), item, nodeError, itemIndex);
}

/**
 * Runs `enrich` for every input item and returns each input item with the fields it returned added: every
 * pipeline step enriches the InboundMessage item rather than replacing it. Failures stop the node, or become
 * failed items when the node is set to continue on fail.
 */
export async function enrichEachItem(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	enrich: (item: INodeExecutionData, itemIndex: number) => Promise<IDataObject>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const item = items[itemIndex];
		try {
			const added = await enrich(item, itemIndex);
			output.push({ json: { ...item.json, ...added }, pairedItem: { item: itemIndex } });
		} catch (error) {
			output.push(failedItemOrThrow.call(this, item, error, itemIndex));
		}
	}
	return output;
}
