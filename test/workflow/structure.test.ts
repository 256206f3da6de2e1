/**
 * Every versioned workflow (workflows/**\/*.workflow.json) and every harness fixture, checked against the node
 * types n8n would really load: our built package and the pinned runtime's n8n-nodes-base. Catches what n8n
 * itself only reports when a workflow is imported or run: unknown node types or versions, connections to missing
 * nodes or outputs, credentials of a type nobody exports or the node does not accept.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import type { INode, INodeTypeDescription, IVersionedNodeType, INodeType } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { findWorkflowFiles } from '../../scripts/n8n-runtime/workflows.ts';
import { type LoadedPackages, loadPackages, type WorkflowJson } from '../support/n8n-in-process';
import { repoRoot } from '../support/n8n-in-process/runtime';

const files = [...findWorkflowFiles(join(repoRoot, 'workflows')), ...findWorkflowFiles(join(__dirname, 'fixtures'))];

let packages: LoadedPackages;

beforeAll(async () => {
	packages = await loadPackages();
});

function supportedVersions(nodeType: INodeType | IVersionedNodeType): number[] {
	if ('nodeVersions' in nodeType) return Object.keys(nodeType.nodeVersions).map(Number);
	const { version } = nodeType.description;
	return Array.isArray(version) ? version : [version];
}

/** Nodes that take any credential type through a parameter (HTTP Request's "predefined credential type"). */
function acceptsAnyCredential(node: INode): boolean {
	return node.type === 'n8n-nodes-base.httpRequest' && node.parameters.authentication === 'predefinedCredentialType';
}

function countOfType(connectors: (string | { type: string })[], type: string): number {
	return connectors.filter((connector) => (typeof connector === 'string' ? connector : connector.type) === type).length;
}

it('finds the versioned workflows', () => {
	expect(files.map((file) => relative(repoRoot, file))).toContain(
		'workflows/inbound-message-pipeline/inbound-message-pipeline.workflow.json',
	);
});

describe.each(files.map((file) => [relative(repoRoot, file), file]))('%s', (_name, file) => {
	let workflowJson: WorkflowJson;

	it('is a workflow: valid JSON with a name, nodes with unique names and ids, and connections', () => {
		workflowJson = JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
		expect(typeof workflowJson.name).toBe('string');
		expect(Array.isArray(workflowJson.nodes)).toBe(true);
		expect(typeof workflowJson.connections).toBe('object');
		const names = workflowJson.nodes.map((node) => node.name);
		expect(new Set(names).size).toBe(names.length);
		const ids = workflowJson.nodes.map((node) => node.id);
		expect(new Set(ids).size).toBe(ids.length);
	});

	it('uses only node types the packages export, at versions those nodes support', () => {
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
		expect(problems).toEqual([]);
	});

	it('connects existing nodes through outputs and inputs they have', () => {
		const byName = new Map(workflowJson.nodes.map((node) => [node.name, node]));
		const workflow = new Workflow({
			nodes: workflowJson.nodes,
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
		expect(problems).toEqual([]);
	});

	it('references credential types that exist and that its nodes accept', () => {
		const problems: string[] = [];
		for (const node of workflowJson.nodes) {
			const accepted = (packages.nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.credentials ?? []).map(
				(credential) => credential.name,
			);
			for (const type of Object.keys(node.credentials ?? {})) {
				if (!packages.credentialTypes.recognizes(type)) problems.push(`${node.name}: unknown credential type ${type}`);
				else if (!acceptsAnyCredential(node) && !accepted.includes(type)) {
					problems.push(`${node.name}: ${node.type} does not take credentials of type ${type} (takes ${accepted.join(', ') || 'none'})`);
				}
			}
			if (acceptsAnyCredential(node) && node.credentials?.[String(node.parameters.nodeCredentialType)] === undefined) {
				problems.push(`${node.name}: no credential of its nodeCredentialType ${String(node.parameters.nodeCredentialType)}`);
			}
		}
		expect(problems).toEqual([]);
	});
});
