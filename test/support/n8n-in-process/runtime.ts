/**
 * Where the pinned n8n runtime lives, and typed access to the parts of n8n-core the harness uses.
 *
 * n8n-core is not a dependency of this repository (the pinned runtime installs outside the root tree, see
 * n8n-runtime/), so it is required by absolute path and described here by the few members we call; n8n-workflow
 * types come from the root devDependency, which is the same version as the runtime's (checked in
 * `assertSameN8nWorkflowVersion`).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type {
	ICredentialType,
	INodeType,
	INodeTypeDescription,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	Workflow,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { findRepoRoot } from '../../../scripts/lib/paths.ts';
import { isN8nRuntimeInstalled, n8nRuntimeDir } from '../../../scripts/n8n-runtime/runtime.ts';

export const repoRoot = findRepoRoot();

/** `<cache>/n8n-runtime/<hash>/node_modules` of the pinned runtime (the same formula as `npm run n8n:install`). */
export function runtimeNodeModules(): string {
	const dir = n8nRuntimeDir({ repoRoot });
	if (!isN8nRuntimeInstalled(dir)) {
		throw new Error(`The pinned n8n runtime is not installed in ${dir}: run \`npm run n8n:install\` first.`);
	}
	return join(dir, 'node_modules');
}

export interface LoadedClass<T> {
	type: T;
	sourcePath: string;
}

/** n8n-core's DirectoryLoader, as far as the harness uses it. */
export interface DirectoryLoader {
	packageName: string;
	loadAll(): Promise<void>;
	known: {
		nodes: Record<string, { className: string; sourcePath: string }>;
		credentials: Record<string, { className: string; sourcePath: string; supportedNodes?: string[]; extends?: string[] }>;
	};
	types: { nodes: INodeTypeDescription[]; credentials: ICredentialType[] };
	getNode(shortName: string): LoadedClass<INodeType | IVersionedNodeType>;
	getCredential(name: string): LoadedClass<ICredentialType>;
}

export interface ExecutionLifecycleHooks {
	addHandler(hook: 'nodeExecuteAfter', handler: (nodeName: string) => void): void;
	addHandler(hook: 'workflowExecuteAfter', handler: (run: IRun) => void): void;
}

export interface WorkflowExecute {
	run(options: { workflow: Workflow; startNode?: Workflow['nodes'][string]; pinData?: IWorkflowBase['pinData'] }): Promise<IRun>;
}

export interface N8nCore {
	WorkflowExecute: new (
		additionalData: IWorkflowExecuteAdditionalData,
		mode: WorkflowExecuteMode,
		runExecutionData?: IRunExecutionData,
	) => WorkflowExecute;
	ExecutionLifecycleHooks: new (mode: WorkflowExecuteMode, executionId: string, workflowData: IWorkflowBase) => ExecutionLifecycleHooks;
	PackageDirectoryLoader: new (directory: string) => DirectoryLoader;
	LazyPackageDirectoryLoader: new (directory: string) => DirectoryLoader;
}

function packageVersion(packageDir: string): string {
	return (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Type-checking uses the root n8n-workflow, execution the runtime's: they must be the same release, or the types
 * would describe another API than the one that runs.
 */
export function assertSameN8nWorkflowVersion(): void {
	const root = packageVersion(join(repoRoot, 'node_modules', 'n8n-workflow'));
	const runtime = packageVersion(join(runtimeNodeModules(), 'n8n-workflow'));
	if (root !== runtime) {
		throw new Error(`n8n-workflow ${root} (root devDependency) differs from ${runtime} (pinned n8n runtime): align the root devDependency.`);
	}
}

let core: N8nCore | undefined;

/**
 * Loads n8n-core from the runtime. n8n keeps instance files (an encryption key) in N8N_USER_FOLDER; point it at the
 * repository's scratch folder so a test never touches ~/.n8n. NODE_ENV=test (set by Jest) makes n8n's node loader
 * `require` node files directly instead of through a vm context, so Jest's module mapping applies to them too.
 */
export function n8nCore(): N8nCore {
	if (!core) {
		if (!process.env.N8N_USER_FOLDER) {
			const userFolder = join(repoRoot, '.tmp', 'n8n-in-process');
			mkdirSync(userFolder, { recursive: true });
			process.env.N8N_USER_FOLDER = userFolder;
		}
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- the runtime lives outside the dependency tree, at a path known only now
		core = require(join(runtimeNodeModules(), 'n8n-core')) as N8nCore;
	}
	return core;
}

/** The built node package (`npm run build:nodes`), as n8n loads it: the files listed in package.json `n8n`. */
export function assertPackageBuilt(): void {
	const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { n8n?: { nodes?: string[]; credentials?: string[] } };
	const files = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
	const missing = files.filter((file) => !existsSync(join(repoRoot, file)));
	if (missing.length > 0) {
		throw new Error(`The node package is not built (missing ${missing.join(', ')}): run \`npm run build:nodes\` first.`);
	}
}
