/**
 * Every versioned workflow (workflows/**\/*.workflow.json) and every harness fixture, checked against the node
 * types n8n would really load: our built package and the pinned runtime's n8n-nodes-base. Catches what n8n
 * itself only reports when a workflow is imported or run: unknown node types or versions, connections to missing
 * nodes or outputs, credentials of a type nobody exports or the node does not accept.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { findWorkflowFiles } from '../../scripts/n8n-runtime/workflows.ts';
import { type LoadedPackages, loadPackages, readWorkflowJson, type WorkflowJson } from '../support/n8n-in-process';
import { repoRoot } from '../support/n8n-in-process/runtime';
import {
	connectionProblems,
	credentialProblems,
	nodeTypeProblems,
	parameterProblems,
	shapeProblems,
	workflowProblems,
} from '../support/n8n-in-process/structure';

const files = [...findWorkflowFiles(join(repoRoot, 'workflows')), ...findWorkflowFiles(join(__dirname, 'fixtures'))];

let packages: LoadedPackages;

beforeAll(async () => {
	packages = await loadPackages();
});

it('finds the versioned workflows', () => {
	expect(files.map((file) => relative(repoRoot, file))).toContain(
		'workflows/inbound-message-pipeline/inbound-message-pipeline.workflow.json',
	);
});

describe.each(files.map((file) => [relative(repoRoot, file), file]))('%s', (_name, file) => {
	let workflowJson: WorkflowJson;

	it('is a workflow: valid JSON with a name, nodes with unique names and ids, and connections', () => {
		workflowJson = JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
		expect(shapeProblems(workflowJson)).toEqual([]);
	});

	it('uses only node types the packages export, at versions those nodes support', () => {
		expect(nodeTypeProblems(workflowJson, packages)).toEqual([]);
	});

	// Connections and credentials can only be read once every node type and version is known.
	const withKnownTypes = (check: typeof connectionProblems) => () => {
		expect(nodeTypeProblems(workflowJson, packages)).toEqual([]);
		expect(check(workflowJson, packages)).toEqual([]);
	};

	it('connects existing nodes through outputs and inputs they have', withKnownTypes(connectionProblems));

	it('references credential types that exist and that its nodes accept', withKnownTypes(credentialProblems));

	// n8n drops a parameter its node does not read without a word: the Instagram comment template's instructions were.
	it('sets only parameters its nodes read, with the resource and operation it chose', withKnownTypes(parameterProblems));
});

describe('the structural checks', () => {
	const pipeline = readWorkflowJson(join(repoRoot, 'workflows', 'inbound-message-pipeline', 'inbound-message-pipeline.workflow.json'));
	const broken = (change: (workflow: WorkflowJson) => void): WorkflowJson => {
		const copy = structuredClone(pipeline);
		change(copy);
		return copy;
	};
	const nodeNamed = (workflow: WorkflowJson, name: string) => workflow.nodes.find((node) => node.name === name)!;

	it.each([
		['not an object', () => [] as unknown as WorkflowJson, 'not a JSON object'],
		['a duplicate node name', () => broken((w) => w.nodes.push({ ...w.nodes[1]!, id: 'other' })), 'duplicate node name'],
		['an unknown node type', () => broken((w) => (nodeNamed(w, 'Decide').type = 'n8n-nodes-skybot.skyBotNope')), 'unknown node type n8n-nodes-skybot.skyBotNope'],
		['a base node that does not exist', () => broken((w) => (nodeNamed(w, 'About this workflow').type = 'n8n-nodes-base.stickyNotes')), 'unknown node type n8n-nodes-base.stickyNotes'],
		['an unsupported version', () => broken((w) => (nodeNamed(w, 'Decide').typeVersion = 9)), 'has no version 9'],
		[
			'a connection to a missing node',
			() => broken((w) => w.connections['Decide']!.main![0]!.push({ node: 'Ghost', type: 'main', index: 0 })),
			'→ unknown node "Ghost"',
		],
		[
			'an output the node does not have',
			() => broken((w) => (w.connections['Record outcome'] = { main: [[], [{ node: 'Decide', type: 'main', index: 0 }]] })),
			'main output 1 does not exist',
		],
		[
			'an error output without continueErrorOutput',
			() => broken((w) => delete nodeNamed(w, 'Send Meta reply').onError),
			'Send Meta reply: main output 1 does not exist',
		],
		['an unknown credential type', () => broken((w) => (nodeNamed(w, 'Decide').credentials = { nopeApi: { id: '1', name: 'x' } })), 'unknown credential type nopeApi'],
		[
			'a parameter the node does not have',
			() => broken((w) => (nodeNamed(w, 'Decide').parameters.floodWindow = 5)),
			'Decide: parameter "floodWindow" is not read by n8n-nodes-skybot.skyBotScenario',
		],
		[
			'a parameter of another operation',
			() => broken((w) => (nodeNamed(w, 'Record outcome').parameters.reportStatus = 'success')),
			'Record outcome: parameter "reportStatus" is not read',
		],
		[
			'an option a collection does not have',
			() => broken((w) => (nodeNamed(w, 'Write reply').parameters.options = { temperature: 0.5, caseless: true })),
			'Write reply: "options" has no option "caseless"',
		],
		[
			'a field the reply mode hides (Send Meta reply reads the inbound message item)',
			() => broken((w) => (nodeNamed(w, 'Send Meta reply').parameters.text = 'Bonjour')),
			'Send Meta reply: parameter "text" is not read',
		],
		[
			'a credential the node does not take',
			() => broken((w) => (nodeNamed(w, 'Record outcome').credentials = { openAiApi: { id: '1', name: 'x' } })),
			'does not take credentials of type openAiApi',
		],
	])('report %s', (_case, make, expected) => {
		const problems = workflowProblems(make(), packages);
		expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
	});

	it('report nothing for the pipeline as committed', () => {
		expect(workflowProblems(pipeline, packages)).toEqual([]);
	});
});
