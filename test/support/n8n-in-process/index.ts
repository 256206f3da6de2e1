export { runWorkflow, readWorkflowJson, type RunWorkflowOptions, type WorkflowJson, type WorkflowRun } from './run-workflow';
export { BASE_PACKAGE, loadPackages, OWN_PACKAGE, packageOf, type CredentialTypes, type LoadedPackages } from './node-types';
export type { TestCredentials } from './credentials-helper';
