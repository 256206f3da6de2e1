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
