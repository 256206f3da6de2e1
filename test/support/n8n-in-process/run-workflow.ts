/**
 * Runs a workflow JSON in this process with n8n-core's WorkflowExecute, the engine n8n itself runs.
 *
 * The trigger is not executed: the items it would emit are pinned as its output (n8n's own pinData mechanism), so
 * everything downstream runs for real — our nodes from the built dist, n8n-nodes-base from the pinned runtime,
 * real HTTP through n8n's request helpers with real credential authentication — against fakes and a real hub.
 *
 * One n8n-workflow: the Jest `workflow` project maps `n8n-workflow` to the runtime's copy (jest.config.js), so our
 * dist, this harness and n8n-core share one module instance (its error classes, `instanceof` checks and
 * expression engine), exactly as inside n8n, where the community package resolves n8n's copy as a peer dependency.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type {
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	IRun,
	IRunData,
	ITaskData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { InProcessCredentialsHelper, type TestCredentials } from './credentials-helper';
import { BASE_PACKAGE, loadPackages, type LoadedPackages, packageOf } from './node-types';
import { assertSameN8nWorkflowVersion, n8nCore } from './runtime';

/** The parts of an exported workflow the harness runs. */
export interface WorkflowJson {
	name: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	staticData?: IDataObject;
	[key: string]: unknown;
}

export function readWorkflowJson(path: string): WorkflowJson {
	return JSON.parse(readFileSync(path, 'utf8')) as WorkflowJson;
}

export interface RunWorkflowOptions {
	workflowJson: WorkflowJson;
	/** What the trigger emits this run: plain JSON objects (e.g. InboundMessage) or full n8n items. */
	triggerItems: readonly object[];
	/** Test credentials by credential type name. */
	credentials?: TestCredentials;
	/** The node whose output is injected; defaults to the workflow's only trigger node. */
	triggerNode?: string;
	/** Defaults to `webhook`, the mode production executions of a webhook trigger run in. */
	mode?: WorkflowExecuteMode;
}

export interface WorkflowRun {
	run: IRun;
	status: IRun['status'];
	runData: IRunData;
	/** Node names in the order they finished (a node run twice appears twice). */
	executedNodes: string[];
	/** The execution's error, when a node failed without an error output to continue on. */
	error: IRun['data']['resultData']['error'];
	/** JSON of the items a node emitted on `output` (0 = main / first), across all its runs. */
	outputsOf(nodeName: string, output?: number): IDataObject[];
	/** Every run of a node (empty when it never ran). */
	runsOf(nodeName: string): ITaskData[];
}

/** Plain objects become `{json}` items; objects that already are items (have a `json` object) pass through. */
function toItem(item: object): INodeExecutionData {
	const { json } = item as { json?: unknown };
	const isItem = typeof json === 'object' && json !== null && !Array.isArray(json);
	return isItem ? (item as INodeExecutionData) : { json: item as IDataObject };
}

function findTriggerNode(workflowJson: WorkflowJson, packages: LoadedPackages): INode {
	const triggers = workflowJson.nodes.filter((node) => {
		if (node.disabled || !packages.hasNodeType(node.type)) return false;
		const description = packages.nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description;
		return description.group.includes('trigger');
	});
	if (triggers.length !== 1) {
		throw new Error(
			`Workflow "${workflowJson.name}" has ${triggers.length} trigger nodes (${triggers.map((node) => node.name).join(', ')}): pass triggerNode`,
		);
	}
	return triggers[0]!;
}

function unusedUrl(path: string): string {
	// Nothing listens here: a node that builds a resume or webhook URL gets a well-formed one, a call to it fails.
	return `http://127.0.0.1:9/${path}`;
}

export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRun> {
	assertSameN8nWorkflowVersion();
	const { workflowJson } = options;
	const packages = await loadPackages([BASE_PACKAGE, ...workflowJson.nodes.map((node) => packageOf(node.type))]);
	const { WorkflowExecute, ExecutionLifecycleHooks } = n8nCore();
	const mode = options.mode ?? 'webhook';

	const trigger = options.triggerNode
		? workflowJson.nodes.find((node) => node.name === options.triggerNode)
		: findTriggerNode(workflowJson, packages);
	if (!trigger) throw new Error(`Workflow "${workflowJson.name}" has no node named "${options.triggerNode}"`);

	const workflowId = randomUUID();
	const workflow = new Workflow({
		id: workflowId,
		name: workflowJson.name,
		nodes: workflowJson.nodes,
		connections: workflowJson.connections,
		nodeTypes: packages.nodeTypes,
		active: false,
		settings: workflowJson.settings,
		staticData: structuredClone(workflowJson.staticData ?? {}),
	});

	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: workflowJson.name,
		active: false,
		activeVersionId: null,
		isArchived: false,
		nodes: workflowJson.nodes,
		connections: workflowJson.connections,
		settings: workflowJson.settings,
		createdAt: new Date(),
		updatedAt: new Date(),
	};
	const executionId = randomUUID();
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const executedNodes: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => executedNodes.push(nodeName));

	const additionalData = {
		hooks,
		credentialsHelper: new InProcessCredentialsHelper(packages.credentialTypes, options.credentials ?? {}),
		executionId,
		workflowId,
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: unusedUrl('rest'),
		instanceBaseUrl: unusedUrl(''),
		formBaseUrl: unusedUrl('form'),
		formWaitingBaseUrl: unusedUrl('form-waiting'),
		formTestBaseUrl: unusedUrl('form-test'),
		webhookBaseUrl: unusedUrl('webhook'),
		webhookWaitingBaseUrl: unusedUrl('webhook-waiting'),
		webhookTestBaseUrl: unusedUrl('webhook-test'),
		mcpBaseUrl: unusedUrl('mcp'),
		mcpTestBaseUrl: unusedUrl('mcp-test'),
		logAiEvent: () => {},
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not supported by the in-process harness');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('Task runners (Code node) are not supported by the in-process harness');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const run = await new WorkflowExecute(additionalData, mode).run({
		workflow,
		startNode: trigger,
		pinData: { [trigger.name]: options.triggerItems.map(toItem) },
	});

	const { runData } = run.data.resultData;
	const runsOf = (nodeName: string): ITaskData[] => runData[nodeName] ?? [];
	return {
		run,
		status: run.status,
		runData,
		executedNodes,
		error: run.data.resultData.error,
		runsOf,
		outputsOf: (nodeName, output = 0) =>
			runsOf(nodeName).flatMap((task) => (task.data?.main?.[output] ?? []).map((item) => item.json)),
	};
}
