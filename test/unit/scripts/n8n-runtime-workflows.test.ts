import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	bindCredentials,
	bindSubWorkflows,
	calleesFirst,
	findWorkflowFiles,
	parseWorkflow,
	toPublicApiWorkflow,
} from '../../../scripts/n8n-runtime/workflows.ts';
import type { WorkflowJson } from '../../../scripts/n8n-runtime/workflows.ts';

const pipeline = (): WorkflowJson => ({
	name: 'Inbound pipeline',
	id: 'idFromTheExportingInstance',
	active: true,
	versionId: 'v-1',
	nodes: [
		{ name: 'Webhook', type: 'n8n-nodes-base.webhook', parameters: { path: 'meta' } },
		{
			name: 'Route',
			type: 'n8n-nodes-skybot.skyBotHub',
			credentials: { skyBotHubApi: { id: 'stale', name: 'Hub on my laptop' } },
		},
		{
			name: 'Reply',
			type: 'n8n-nodes-skybot.skyBotAi',
			credentials: {
				openAiApi: { id: 'stale-ai', name: 'OpenAI' },
				notionApi: { id: 'n-1', name: 'Notion' },
			},
		},
	],
	connections: { Webhook: { main: [[{ node: 'Route', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
});

const entry = (name: string, calls: string): WorkflowJson => ({
	name,
	nodes: [
		{ name: 'Trigger', type: 'n8n-nodes-skybot.skyBotTikTokTrigger' },
		{
			name: 'Pipeline',
			type: 'n8n-nodes-base.executeWorkflow',
			parameters: { source: 'database', workflowId: { __rl: true, mode: 'list', value: '', cachedResultName: calls }, options: {} },
		},
	],
	connections: {},
});

describe('bindSubWorkflows and calleesFirst', () => {
	it("fills an Execute Workflow node's id from the name it calls, leaving the other nodes alone", () => {
		const bound = bindSubWorkflows(entry('TikTok entry', 'Inbound pipeline'), new Map([['Inbound pipeline', 'wf42']]));
		expect(bound.nodes[0]).toEqual({ name: 'Trigger', type: 'n8n-nodes-skybot.skyBotTikTokTrigger' });
		expect(bound.nodes[1]!.parameters).toEqual({
			source: 'database',
			workflowId: { __rl: true, mode: 'id', value: 'wf42', cachedResultName: 'Inbound pipeline' },
			options: {},
		});
	});

	it('names the node and the missing workflow when the instance has no such workflow', () => {
		expect(() => bindSubWorkflows(entry('TikTok entry', 'Gone'), new Map())).toThrow(
			'Node "Pipeline" of workflow "TikTok entry" calls workflow "Gone", which is not on this n8n',
		);
	});

	it('orders workflows after the ones they call, whatever the file order, and refuses a cycle', () => {
		const files = [{ workflow: entry('Meta entry', 'Inbound pipeline') }, { workflow: entry('TikTok entry', 'Inbound pipeline') }, { workflow: pipeline() }];
		expect(calleesFirst(files).map((file) => file.workflow.name)).toEqual(['Inbound pipeline', 'Meta entry', 'TikTok entry']);
		expect(() => calleesFirst([{ workflow: entry('A', 'B') }, { workflow: entry('B', 'A') }])).toThrow('Workflows call each other in a cycle: A, B');
	});
});

describe('bindCredentials', () => {
	it('points every reference of a bound credential type at the instance credential', () => {
		const { workflow, unboundTypes } = bindCredentials(pipeline(), {
			skyBotHubApi: { id: 'hub1', name: 'SkyBot Hub API' },
			openAiApi: { id: 'ai1', name: 'OpenAI' },
		});
		expect(workflow.nodes[1].credentials).toEqual({ skyBotHubApi: { id: 'hub1', name: 'SkyBot Hub API' } });
		expect(workflow.nodes[2].credentials?.openAiApi).toEqual({ id: 'ai1', name: 'OpenAI' });
		expect(unboundTypes).toEqual(['notionApi']);
	});

	it('leaves references of unbound types as they were and nodes without credentials untouched', () => {
		const { workflow } = bindCredentials(pipeline(), {});
		expect(workflow.nodes[2].credentials?.notionApi).toEqual({ id: 'n-1', name: 'Notion' });
		expect(workflow.nodes[0]).toEqual(pipeline().nodes[0]);
	});

	it('does not modify the workflow it was given', () => {
		const original = pipeline();
		bindCredentials(original, { skyBotHubApi: { id: 'hub1', name: 'SkyBot Hub API' } });
		expect(original).toEqual(pipeline());
	});
});

describe('toPublicApiWorkflow', () => {
	it('keeps only the fields the public API accepts, with empty settings by default', () => {
		const body = toPublicApiWorkflow({ ...pipeline(), settings: undefined, pinData: {}, tags: [], meta: {} });
		expect(Object.keys(body).sort()).toEqual(['connections', 'name', 'nodes', 'settings']);
		expect(body.settings).toEqual({});
	});

	it('passes static data through when the export has some', () => {
		expect(toPublicApiWorkflow({ ...pipeline(), staticData: { lastId: 3 } }).staticData).toEqual({ lastId: 3 });
	});
});

describe('parseWorkflow', () => {
	it('accepts a workflow export', () => {
		expect(parseWorkflow(JSON.stringify(pipeline()), 'a.workflow.json').name).toBe('Inbound pipeline');
	});

	it.each([
		['{ not json', /a\.workflow\.json is not valid JSON/],
		['[]', /is not a workflow/],
		['{"nodes": [], "connections": {}}', /has no "name"/],
		['{"name": "x", "connections": {}}', /has no "nodes" array/],
		['{"name": "x", "nodes": [{"name": "n"}], "connections": {}}', /node #0 needs a string "name" and "type"/],
		['{"name": "x", "nodes": []}', /has no "connections" object/],
	])('rejects %s naming the file and the problem', (text, message) => {
		expect(() => parseWorkflow(text, 'a.workflow.json')).toThrow(message);
	});
});

describe('findWorkflowFiles', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'skybot-wf-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('finds *.workflow.json recursively, sorted, and ignores other files', () => {
		mkdirSync(join(dir, 'templates', 'crm'), { recursive: true });
		for (const file of ['pipeline.workflow.json', 'notes.json', 'templates/crm/notion.workflow.json', 'templates/readme.md']) {
			writeFileSync(join(dir, file), '{}');
		}
		expect(findWorkflowFiles(dir)).toEqual([
			join(dir, 'pipeline.workflow.json'),
			join(dir, 'templates', 'crm', 'notion.workflow.json'),
		]);
	});
});
