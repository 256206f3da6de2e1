import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { N8nWorkflowBody } from '../../n8n-public-api/client.ts';

/** A reference from a node to a stored credential, as n8n writes it in workflow JSON. */
export interface CredentialReference {
	id?: string | null;
	name: string;
}

export interface WorkflowNode {
	name: string;
	type: string;
	credentials?: Record<string, CredentialReference>;
	[key: string]: unknown;
}

/** The parts of an n8n workflow export this library reads; the rest is passed through untouched. */
export interface WorkflowJson {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	staticData?: unknown;
	[key: string]: unknown;
}

/** What a credential type is bound to on the target instance. */
export type CredentialBindings = Record<string, { id: string; name: string }>;

export const WORKFLOW_FILE_SUFFIX = '.workflow.json';

/** Every `*.workflow.json` under `dir`, recursively, sorted by path so runs are reproducible. */
export function findWorkflowFiles(dir: string): string[] {
	const found: string[] = [];
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) found.push(...findWorkflowFiles(path));
		else if (entry.isFile() && entry.name.endsWith(WORKFLOW_FILE_SUFFIX)) found.push(path);
	}
	return found.sort();
}

/** Parses and shape-checks workflow JSON; errors name the file and what is wrong. */
export function parseWorkflow(text: string, source: string): WorkflowJson {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new Error(`${source} is not valid JSON: ${(error as Error).message}`);
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new Error(`${source} is not a workflow (expected a JSON object)`);
	}
	const workflow = parsed as Partial<WorkflowJson>;
	if (typeof workflow.name !== 'string' || workflow.name.trim() === '') {
		throw new Error(`${source} has no "name"`);
	}
	if (!Array.isArray(workflow.nodes)) throw new Error(`${source} has no "nodes" array`);
	for (const [index, node] of workflow.nodes.entries()) {
		if (typeof node?.name !== 'string' || typeof node?.type !== 'string') {
			throw new Error(`${source}: node #${index} needs a string "name" and "type"`);
		}
	}
	if (workflow.connections === null || typeof workflow.connections !== 'object' || Array.isArray(workflow.connections)) {
		throw new Error(`${source} has no "connections" object`);
	}
	return workflow as WorkflowJson;
}

/** Reads and parses a workflow file. */
export function readWorkflowFile(file: string): WorkflowJson {
	return parseWorkflow(readFileSync(file, 'utf8'), file);
}

export interface BoundWorkflow {
	workflow: WorkflowJson;
	/** Credential types some node references but no binding was given for (left as they were). */
	unboundTypes: string[];
}

/**
 * Points every node's credential references at the instance's credentials, by credential type: a node's
 * `credentials.skyBotHubApi` becomes `{ id, name }` of the bound `skyBotHubApi` credential, whatever id or name the
 * file carried (ids differ between instances). Returns a copy; the input is not modified.
 */
export function bindCredentials(workflow: WorkflowJson, bindings: CredentialBindings): BoundWorkflow {
	const unbound = new Set<string>();
	const nodes = workflow.nodes.map((node) => {
		if (!node.credentials) return { ...node };
		const credentials: Record<string, CredentialReference> = {};
		for (const [type, reference] of Object.entries(node.credentials)) {
			const binding = bindings[type];
			if (binding) credentials[type] = { id: binding.id, name: binding.name };
			else {
				credentials[type] = reference;
				unbound.add(type);
			}
		}
		return { ...node, credentials };
	});
	return { workflow: { ...workflow, nodes }, unboundTypes: [...unbound].sort() };
}

const EXECUTE_WORKFLOW = 'n8n-nodes-base.executeWorkflow';

/** The names of the workflows a workflow calls (Execute Workflow nodes, referenced by `cachedResultName`). */
export function calledWorkflowNames(workflow: WorkflowJson): string[] {
	return workflow.nodes.flatMap((node) => {
		const reference = (node.parameters as { workflowId?: { cachedResultName?: unknown } } | undefined)?.workflowId;
		return node.type === EXECUTE_WORKFLOW && typeof reference?.cachedResultName === 'string' ? [reference.cachedResultName] : [];
	});
}

/**
 * Points every Execute Workflow node at the instance's id of the workflow it names: a workflow file cannot carry the
 * id (n8n assigns it), so it names the sub-workflow (`workflowId.cachedResultName`, what the editor shows) and this
 * fills `workflowId.value`. A name the instance does not have is an error naming the node.
 */
export function bindSubWorkflows(workflow: WorkflowJson, idByName: ReadonlyMap<string, string>): WorkflowJson {
	const nodes = workflow.nodes.map((node) => {
		const [name] = calledWorkflowNames({ ...workflow, nodes: [node] });
		if (name === undefined) return node;
		const id = idByName.get(name);
		if (!id) throw new Error(`Node "${node.name}" of workflow "${workflow.name}" calls workflow "${name}", which is not on this n8n`);
		const parameters = node.parameters as { workflowId: Record<string, unknown> };
		return { ...node, parameters: { ...parameters, workflowId: { ...parameters.workflowId, mode: 'id', value: id } } };
	});
	return { ...workflow, nodes };
}

/** Workflows ordered so that each comes after the ones it calls (a called workflow must exist, and be published, first). */
export function calleesFirst<T extends { workflow: WorkflowJson }>(entries: T[]): T[] {
	const names = new Set(entries.map((entry) => entry.workflow.name));
	const ordered: T[] = [];
	const placed = new Set<string>();
	while (ordered.length < entries.length) {
		const ready = entries.filter(
			(entry) => !placed.has(entry.workflow.name) && calledWorkflowNames(entry.workflow).every((name) => placed.has(name) || !names.has(name)),
		);
		if (ready.length === 0) throw new Error('Workflows call each other in a cycle: ' + entries.filter((e) => !placed.has(e.workflow.name)).map((e) => e.workflow.name).join(', '));
		for (const entry of ready) {
			ordered.push(entry);
			placed.add(entry.workflow.name);
		}
	}
	return ordered;
}

/**
 * The body n8n's public API accepts for create and update: it rejects unknown top-level fields (additionalProperties:
 * false) and read-only ones such as `id`, `active` or `versionId` that exports carry.
 */
export function toPublicApiWorkflow(workflow: WorkflowJson): N8nWorkflowBody {
	const body: N8nWorkflowBody = {
		name: workflow.name,
		nodes: workflow.nodes,
		connections: workflow.connections,
		settings: workflow.settings ?? {},
	};
	if (workflow.staticData !== undefined && workflow.staticData !== null) body.staticData = workflow.staticData;
	return body;
}
