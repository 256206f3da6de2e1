import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { z } from 'zod';
import { placeholdersIn } from './placeholders';
import { placeholderProblem } from './template-instance';

/** Agent types (template categories), from the product brief's AgentType. */
export const AGENT_TYPES = [
	'SALES',
	'SUPPORT',
	'ANALYTICS',
	'MARKETING',
	'HR',
	'FINANCE',
	'LEGAL',
	'OPERATIONS',
	'DEVOPS',
	'CONTENT',
	'INTERNAL',
	'CUSTOM',
] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

const SEMVER = /^\d+\.\d+\.\d+$/;

const credentialSpec = z.object({
	/** How the workflow refers to this credential: `{{skybot:credentials.<key>.id}}`. */
	key: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
	/** n8n credential type, e.g. skyBotMetaAppApi. */
	type: z.string().min(1),
	/** Display name; the hub appends the agent to it in n8n. */
	name: z.string().min(1).max(80),
	/** Credential data sent to n8n, with placeholders (secrets come from the configuration, never stored here). */
	data: z.record(z.string(), z.unknown()),
});

const manifestSchema = z.strictObject({
	slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
	name: z.string().min(1).max(120),
	description: z.string().min(1).max(2000),
	category: z.enum(AGENT_TYPES),
	version: z.string().regex(SEMVER, 'must be a semantic version such as 1.2.0'),
	icon: z.string().min(1).max(200),
	useCases: z.array(z.string().min(1).max(300)).max(20),
	premium: z.boolean(),
	credentials: z.array(credentialSpec).max(10),
	/** JSON Schema (draft-07) of the configuration: a flat object; secret fields carry `writeOnly: true`. */
	configSchema: z.looseObject({
		type: z.literal('object'),
		properties: z.record(z.string(), z.looseObject({ writeOnly: z.boolean().optional() })),
	}),
	workflow: z.string().regex(/^[a-z0-9-]+\.workflow\.json$/),
});

export type TemplateManifest = z.infer<typeof manifestSchema>;
export type CredentialSpec = z.infer<typeof credentialSpec>;

export interface TemplateWorkflow {
	name: string;
	nodes: Record<string, unknown>[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface Template {
	manifest: TemplateManifest;
	workflow: TemplateWorkflow;
	/** Top-level configuration fields marked `writeOnly`: sent to n8n inside credentials, never stored by the hub. */
	secretFields: ReadonlySet<string>;
	/** Validates a configuration in place: fills defaults, reports every problem. */
	validateConfig: ValidateFunction;
	/** The same without requiring the secrets: checks a stored configuration (upgrade) and fills new defaults. */
	validateStoredConfig: ValidateFunction;
}

export class TemplateLoadError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TemplateLoadError';
	}
}

export const SEMVER_PATTERN = SEMVER;

/** -1, 0 or 1 as `a` is older than, the same as or newer than `b` (both x.y.z). */
export function compareVersions(a: string, b: string): number {
	const [left, right] = [a, b].map((version) => version.split('.').map(Number));
	for (let index = 0; index < 3; index++) {
		const difference = (left![index] ?? 0) - (right![index] ?? 0);
		if (difference !== 0) return Math.sign(difference);
	}
	return 0;
}

/** The repository's `workflows/templates`, found upwards from this file (works from src/ and from dist/). */
export function defaultTemplatesDir(): string {
	let directory = __dirname;
	for (;;) {
		const candidate = join(directory, 'workflows', 'templates');
		if (existsSync(candidate)) return candidate;
		const parent = dirname(directory);
		if (parent === directory) return resolve('workflows', 'templates');
		directory = parent;
	}
}

/**
 * Reads every `<dir>/<slug>/manifest.json` and its workflow file. A broken template stops start-up with a message
 * naming the file and the problem: the catalogue is part of the release, so it is checked like configuration.
 */
export function loadTemplateCatalogue(dir: string): Map<string, Template> {
	if (!existsSync(dir)) throw new TemplateLoadError(`Templates directory not found: ${dir}`);
	const catalogue = new Map<string, Template>();
	const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
	for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
		if (!entry.isDirectory()) continue;
		const template = loadTemplate(join(dir, entry.name), entry.name, ajv);
		catalogue.set(template.manifest.slug, template);
	}
	return catalogue;
}

function readJson(file: string): unknown {
	try {
		return JSON.parse(readFileSync(file, 'utf8')) as unknown;
	} catch (error) {
		throw new TemplateLoadError(`${file}: ${(error as Error).message}`);
	}
}

function loadTemplate(directory: string, folderName: string, ajv: Ajv): Template {
	const manifestFile = join(directory, 'manifest.json');
	const parsed = manifestSchema.safeParse(readJson(manifestFile));
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		throw new TemplateLoadError(`${manifestFile}: ${issue.path.join('.') || '(root)'} ${issue.message}`);
	}
	const manifest = parsed.data;
	const fail = (message: string): never => {
		throw new TemplateLoadError(`${manifestFile}: ${message}`);
	};
	if (manifest.slug !== folderName) fail(`slug "${manifest.slug}" must match its folder "${folderName}"`);
	if (manifest.workflow !== `${manifest.slug}.workflow.json`) fail(`workflow must be "${manifest.slug}.workflow.json"`);

	const properties = manifest.configSchema.properties;
	const secretFields = new Set(Object.keys(properties).filter((name) => properties[name]!.writeOnly === true));
	let validateConfig: ValidateFunction;
	let validateStoredConfig: ValidateFunction;
	try {
		validateConfig = ajv.compile(manifest.configSchema);
		const required = Array.isArray(manifest.configSchema.required) ? (manifest.configSchema.required as string[]) : [];
		validateStoredConfig = ajv.compile({
			...manifest.configSchema,
			required: required.filter((field) => !secretFields.has(field)),
		});
	} catch (error) {
		return fail(`configSchema is not a valid JSON Schema: ${(error as Error).message}`);
	}

	const workflowFile = join(directory, manifest.workflow);
	const workflow = readJson(workflowFile) as TemplateWorkflow;
	if (typeof workflow?.name !== 'string' || !Array.isArray(workflow.nodes) || typeof workflow.connections !== 'object') {
		fail(`${manifest.workflow} is not an n8n workflow (name, nodes, connections)`);
	}

	const credentialKeys = new Set<string>();
	const words = { configFields: new Set(Object.keys(properties)), secretFields, credentialKeys };
	for (const credential of manifest.credentials) {
		if (credentialKeys.has(credential.key)) fail(`credential "${credential.key}" is declared twice`);
		credentialKeys.add(credential.key);
		for (const { path, at } of placeholdersIn(credential.data)) {
			if (placeholderProblem(path, 'credential', words)) {
				fail(`credential "${credential.key}" data.${at} uses unknown placeholder {{skybot:${path}}}`);
			}
		}
	}
	for (const { path, at } of placeholdersIn(workflow)) {
		const problem = placeholderProblem(path, 'workflow', words);
		if (problem === 'unknown') fail(`${manifest.workflow} ${at} uses unknown placeholder {{skybot:${path}}}`);
		// The workflow JSON is visible in n8n and kept in the hub's version history: secrets go in credentials only.
		if (problem === 'secret') {
			fail(`${manifest.workflow} ${at} uses the secret field ${path.split('.')[1]}; secrets belong in credential data`);
		}
	}
	return { manifest, workflow, secretFields, validateConfig, validateStoredConfig };
}
