/**
 * Static checks of a workflow JSON against the node types n8n would really load (see node-types.ts): what n8n
 * itself only reports when the workflow is imported or run. Returns one line per problem; [] means sound.
 */
import type { INode, INodeType, INodeTypeDescription, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import type { LoadedPackages } from './node-types';
import type { WorkflowJson } from './run-workflow';

function supportedVersions(nodeType: INodeType | IVersionedNodeType): number[] {
	if ('nodeVersions' in nodeType) return Object.keys(nodeType.nodeVersions).map(Number);
	const { version } = nodeType.description;
	return Array.isArray(version) ? version : [version];
}

/** HTTP Request with "predefined credential type" takes any credential type, named by a parameter. */
function takesAnyCredential(node: INode): boolean {
	return node.type === 'n8n-nodes-base.httpRequest' && node.parameters.authentication === 'predefinedCredentialType';
}

function countOfType(connectors: (string | { type: string })[], type: string): number {
	return connectors.filter((connector) => (typeof connector === 'string' ? connector : connector.type) === type).length;
}

export function shapeProblems(workflowJson: unknown): string[] {
	if (typeof workflowJson !== 'object' || workflowJson === null || Array.isArray(workflowJson)) return ['not a JSON object'];
	const candidate = workflowJson as Partial<WorkflowJson>;
	const problems: string[] = [];
	if (typeof candidate.name !== 'string' || candidate.name.trim() === '') problems.push('no name');
	if (!Array.isArray(candidate.nodes)) return [...problems, 'no nodes array'];
	if (typeof candidate.connections !== 'object' || candidate.connections === null) problems.push('no connections object');
	const seen = { names: new Set<string>(), ids: new Set<string>() };
	for (const node of candidate.nodes) {
		if (typeof node?.name !== 'string' || typeof node.type !== 'string' || typeof node.typeVersion !== 'number') {
			problems.push(`node without name, type or typeVersion: ${JSON.stringify(node)}`);
			continue;
		}
		if (seen.names.has(node.name)) problems.push(`duplicate node name "${node.name}"`);
		if (seen.ids.has(node.id)) problems.push(`duplicate node id ${node.id}`);
		seen.names.add(node.name);
		seen.ids.add(node.id);
	}
	return problems;
}

export function nodeTypeProblems(workflowJson: WorkflowJson, packages: LoadedPackages): string[] {
	const problems: string[] = [];
	for (const node of workflowJson.nodes) {
		if (!packages.hasNodeType(node.type)) {
			problems.push(`${node.name}: unknown node type ${node.type}`);
			continue;
		}
		const versions = supportedVersions(packages.nodeTypes.getByName(node.type));
		if (!versions.includes(node.typeVersion)) {
			problems.push(`${node.name}: ${node.type} has no version ${node.typeVersion} (supports ${versions.join(', ')})`);
		}
	}
	return problems;
}

/** Needs every node type and version known (run after nodeTypeProblems came back empty). */
export function connectionProblems(workflowJson: WorkflowJson, packages: LoadedPackages): string[] {
	const byName = new Map(workflowJson.nodes.map((node) => [node.name, node]));
	const workflow = new Workflow({
		// n8n's Workflow replaces each node's parameters with the ones it reads: a copy keeps the workflow as written.
		nodes: structuredClone(workflowJson.nodes),
		connections: workflowJson.connections,
		nodeTypes: packages.nodeTypes,
		active: false,
		settings: workflowJson.settings,
	});
	const description = (node: INode): INodeTypeDescription =>
		packages.nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description;
	const problems: string[] = [];
	for (const [sourceName, byType] of Object.entries(workflowJson.connections)) {
		const source = byName.get(sourceName);
		if (!source) {
			problems.push(`connections from unknown node "${sourceName}"`);
			continue;
		}
		const outputs = NodeHelpers.getNodeOutputs(workflow, source, description(source));
		for (const [type, perOutput] of Object.entries(byType)) {
			const outputCount = countOfType(outputs, type);
			perOutput.forEach((targets, outputIndex) => {
				if ((targets ?? []).length > 0 && outputIndex >= outputCount) {
					problems.push(`${sourceName}: ${type} output ${outputIndex} does not exist (${outputCount} outputs)`);
				}
				for (const target of targets ?? []) {
					const targetNode = byName.get(target.node);
					if (!targetNode) {
						problems.push(`${sourceName} → unknown node "${target.node}"`);
						continue;
					}
					const inputs = NodeHelpers.getNodeInputs(workflow, targetNode, description(targetNode));
					if (target.index >= countOfType(inputs, target.type)) {
						problems.push(`${sourceName} → ${target.node}: ${target.type} input ${target.index} does not exist`);
					}
				}
			});
		}
	}
	return problems;
}

/** Needs every node type and version known (run after nodeTypeProblems came back empty). */
export function credentialProblems(workflowJson: WorkflowJson, packages: LoadedPackages): string[] {
	const problems: string[] = [];
	for (const node of workflowJson.nodes) {
		const accepted = (packages.nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.credentials ?? []).map(
			(credential) => credential.name,
		);
		for (const type of Object.keys(node.credentials ?? {})) {
			if (!packages.credentialTypes.recognizes(type)) problems.push(`${node.name}: unknown credential type ${type}`);
			else if (!takesAnyCredential(node) && !accepted.includes(type)) {
				problems.push(`${node.name}: ${node.type} does not take credentials of type ${type} (takes ${accepted.join(', ') || 'none'})`);
			}
		}
		const predefined = String(node.parameters.nodeCredentialType);
		if (takesAnyCredential(node) && node.credentials?.[predefined] === undefined) {
			problems.push(`${node.name}: no credential of its nodeCredentialType ${predefined}`);
		}
	}
	return problems;
}

/** Every check, in order; connections, credentials and parameters only once every node type and version is known. */
export function workflowProblems(workflowJson: unknown, packages: LoadedPackages): string[] {
	const shape = shapeProblems(workflowJson);
	if (shape.length > 0) return shape;
	const workflow = workflowJson as WorkflowJson;
	const types = nodeTypeProblems(workflow, packages);
	if (types.length > 0) return types;
	return [
		...connectionProblems(workflow, packages),
		...credentialProblems(workflow, packages),
		...parameterProblems(workflow, packages),
	];
}

/**
 * Needs every node type and version known. A parameter the node does not read, at the top level or as an option of
 * a collection, is one n8n silently drops: unknown to the node, or hidden by the resource and operation chosen.
 */
export function parameterProblems(workflowJson: WorkflowJson, packages: LoadedPackages): string[] {
	const problems: string[] = [];
	for (const node of workflowJson.nodes) {
		const { description } = packages.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		const { properties } = description;
		const read = NodeHelpers.getNodeParameters(properties, node.parameters, true, false, node, description) ?? {};
		for (const name of Object.keys(node.parameters)) {
			if (!(name in read)) {
				problems.push(`${node.name}: parameter "${name}" is not read by ${node.type} with these settings`);
				continue;
			}
			const value = node.parameters[name];
			const collection = properties.find(
				(property) => property.name === name && property.type === 'collection' && NodeHelpers.displayParameter(read, property, node, description),
			);
			if (!collection || typeof value !== 'object' || value === null || Array.isArray(value)) continue;
			const options = new Set((collection.options ?? []).map((option) => (option as { name: string }).name));
			for (const option of Object.keys(value)) {
				if (!options.has(option)) problems.push(`${node.name}: "${name}" has no option "${option}"`);
			}
		}
	}
	return problems;
}
