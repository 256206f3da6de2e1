/**
 * The pinned n8n runtime of SkyBot Hub: install it, put the node package in a user folder, start n8n on PostgreSQL
 * (main-only or queue mode) and bootstrap it (owner API key, credentials, published workflows).
 *
 * Typical use (the e2e suite, `npm start`):
 * ```ts
 * const runtime = await installN8nRuntime({ onProgress: console.log });
 * await placeNodePackage(userFolder);
 * const n8n = await startN8n({ userFolder, database: 'postgres://postgres@127.0.0.1:5432/n8n_test_x', owner, runtimeDir: runtime.dir });
 * const { apiKey, workflows } = await bootstrapN8n({ url: n8n.url, userFolder, owner, credentials, workflowsDir });
 * await n8n.stop();
 * ```
 */
export { installN8nRuntime, isN8nRuntimeInstalled, n8nBinary, n8nRuntimeDir, n8nRuntimeHash } from './runtime.ts';
export type { InstallN8nRuntimeOptions, InstalledN8nRuntime } from './runtime.ts';
export { NODE_PACKAGE_NAME, communityNodesDir, placeNodePackage } from './node-package.ts';
export type { PlacedNodePackage } from './node-package.ts';
export { ensureEncryptionKey, startN8n, userFolderStateFile } from './server.ts';
export type { N8nInstance, QueueModeOptions, StartN8nOptions, UserFolderState } from './server.ts';
export { generateOwnerPassword, hashOwnerPassword } from './owner.ts';
export type { N8nOwner } from './owner.ts';
export { bootstrapN8n } from './bootstrap.ts';
export type { BootstrapN8nOptions, BootstrapResult, BootstrappedWorkflow, CredentialSpec } from './bootstrap.ts';
export { N8nApiError } from '../../n8n-public-api/client.ts';
export { bindCredentials, findWorkflowFiles, parseWorkflow, readWorkflowFile, toPublicApiWorkflow } from './workflows.ts';
export type { CredentialBindings, WorkflowJson } from './workflows.ts';
