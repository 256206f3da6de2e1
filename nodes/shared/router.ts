import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** What every actions/<resource>/<operation>.operation.ts exports besides its description. */
export interface Operation {
	execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

/**
 * Each resource's operations as the node's NodeMap (actions/node.type.ts) names them: its Resource modules. Typing
 * a router's table with it makes the compiler refuse an operation the map names and no module exports.
 */
export type OperationsByResource<NodeMap extends Record<string, string>> = {
	[Resource in keyof NodeMap]: Record<NodeMap[Resource], Operation>;
};

/**
 * What every node's actions/router.ts does: runs the operation its `resource` and `operation` parameters select
 * on all input items, to the node's one output.
 */
export async function routeToOperation(
	this: IExecuteFunctions,
	resources: Record<string, Record<string, Operation>>,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = String(this.getNodeParameter('resource', 0));
	const operation = String(this.getNodeParameter('operation', 0));
	if (!Object.hasOwn(resources, resource)) {
		throw new NodeOperationError(this.getNode(), `The resource "${resource}" is not supported`);
	}
	const operations = resources[resource];
	// Own keys only: a Resource module also exports its `description`, which is no operation.
	if (!Object.hasOwn(operations, operation) || typeof operations[operation].execute !== 'function') {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for "${resource}"`);
	}
	return [await operations[operation].execute.call(this, items)];
}
