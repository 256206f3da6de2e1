/**
 * Node and credential types for in-process runs, loaded the way n8n loads them: our package from its BUILT
 * dist through n8n-core's PackageDirectoryLoader (the files package.json `n8n` lists, typed
 * `n8n-nodes-skybot.<name>`), and n8n-nodes-base from the pinned runtime through the LazyPackageDirectoryLoader
 * n8n itself uses (only the nodes a workflow asks for are required).
 */
import { join } from 'node:path';

import type { ICredentialType, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { assertPackageBuilt, type DirectoryLoader, n8nCore, repoRoot, runtimeNodeModules } from './runtime';

export interface LoadedPackages {
	/** Loaders by package name: `n8n-nodes-skybot` and `n8n-nodes-base`. */
	loaders: Map<string, DirectoryLoader>;
	nodeTypes: INodeTypes;
	credentialTypes: CredentialTypes;
	/** True when `type` (e.g. `n8n-nodes-base.if`) is a node some loaded package exports. */
	hasNodeType(type: string): boolean;
}

export interface CredentialTypes {
	recognizes(name: string): boolean;
	getByName(name: string): ICredentialType;
	/** `extends` chain of a credential type, nearest parent first. */
	getParentTypes(name: string): string[];
	/** Fully qualified node types a credential type declares it supports. */
	getSupportedNodes(name: string): string[];
}

function splitType(type: string): { packageName: string; shortName: string } {
	const dot = type.lastIndexOf('.');
	return { packageName: type.slice(0, dot), shortName: type.slice(dot + 1) };
}

export const OWN_PACKAGE = 'n8n-nodes-skybot';
export const BASE_PACKAGE = 'n8n-nodes-base';

/** Loaders by package name, created once per test file (Jest gives each file its own module registry). */
const loaderPromises = new Map<string, Promise<DirectoryLoader>>();

function loaderFor(packageName: string): Promise<DirectoryLoader> {
	let promise = loaderPromises.get(packageName);
	if (!promise) {
		promise = (async () => {
			const { PackageDirectoryLoader, LazyPackageDirectoryLoader } = n8nCore();
			let loader: DirectoryLoader;
			if (packageName === OWN_PACKAGE) {
				assertPackageBuilt();
				loader = new PackageDirectoryLoader(repoRoot);
			} else if (packageName === BASE_PACKAGE) {
				loader = new LazyPackageDirectoryLoader(join(runtimeNodeModules(), BASE_PACKAGE));
			} else {
				throw new Error(`Node package "${packageName}" is neither ${OWN_PACKAGE} nor ${BASE_PACKAGE}`);
			}
			await loader.loadAll();
			return loader;
		})();
		loaderPromises.set(packageName, promise);
	}
	return promise;
}

/** The package part of node types (`n8n-nodes-base.if` → `n8n-nodes-base`). */
export function packageOf(type: string): string {
	return splitType(type).packageName;
}

/**
 * Loads the given packages (both by default). A workflow made only of n8n-nodes-base nodes does not need our
 * package built; one that uses ours fails with a clear "run npm run build:nodes" when dist/ is missing.
 */
export async function loadPackages(packageNames: readonly string[] = [OWN_PACKAGE, BASE_PACKAGE]): Promise<LoadedPackages> {
	const loaderList = await Promise.all([...new Set(packageNames)].map(loaderFor));
	const loaders = new Map(loaderList.map((loader) => [loader.packageName, loader]));

	const hasNodeType = (type: string): boolean => {
		const { packageName, shortName } = splitType(type);
		return loaders.get(packageName)?.known.nodes[shortName] !== undefined;
	};

	const getByName = (type: string): INodeType | IVersionedNodeType => {
		if (!hasNodeType(type)) throw new Error(`Unknown node type "${type}": no loaded package (${[...loaders.keys()].join(', ')}) exports it`);
		const { packageName, shortName } = splitType(type);
		return loaders.get(packageName)!.getNode(shortName).type;
	};

	const nodeTypes: INodeTypes = {
		getByName,
		getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(getByName(type), version),
		getKnownTypes: () =>
			Object.fromEntries(
				loaderList.flatMap((loader) =>
					Object.entries(loader.known.nodes).map(([shortName, known]) => [`${loader.packageName}.${shortName}`, known]),
				),
			),
	};

	const credentialLoader = (name: string) => loaderList.find((loader) => loader.known.credentials[name] !== undefined);
	const credentialTypes: CredentialTypes = {
		recognizes: (name) => credentialLoader(name) !== undefined,
		getByName: (name) => {
			const loader = credentialLoader(name);
			if (!loader) throw new Error(`Unknown credential type "${name}": no loaded package exports it`);
			return loader.getCredential(name).type;
		},
		getParentTypes(name) {
			const parents = credentialTypes.getByName(name).extends ?? [];
			return parents.flatMap((parent) => [parent, ...credentialTypes.getParentTypes(parent)]);
		},
		getSupportedNodes(name) {
			const loader = credentialLoader(name);
			const supported = loader?.known.credentials[name]?.supportedNodes ?? [];
			return supported.map((shortName) => `${loader!.packageName}.${shortName}`);
		},
	};

	return { loaders, nodeTypes, credentialTypes, hasNodeType };
}
