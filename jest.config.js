// Four suites, run in this order by `npm test` (scripts/test.ts):
//   unit      pure logic of the node package (signatures, payload fan-out, decision rules, transports)
//   hub       the hub API on a real, freshly migrated PostgreSQL database and real Redis
//   workflow  the versioned workflow JSON executed in-process by n8n-core's WorkflowExecute
//   e2e       a real n8n (the pinned runtime) with the package installed, driven over HTTP
const { join } = require('node:path');

// The workflow project runs our built nodes inside the pinned runtime's n8n-core. Both must use ONE n8n-workflow,
// the runtime's, as inside n8n (where a community package resolves n8n's copy as its peer dependency); otherwise
// error classes and instanceof checks split in two. See test/support/n8n-in-process/run-workflow.ts.
const { n8nRuntimeDir } = require('./scripts/n8n-runtime/runtime.ts');
const runtimeN8nWorkflow = join(n8nRuntimeDir({ repoRoot: __dirname }), 'node_modules', 'n8n-workflow');

const transform = { '^.+\\.ts$': ['@swc/jest'] };
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

/** @type {import('jest').Config} */
module.exports = {
	// Hooks create and drop databases and start servers; on two loaded cores that can take longer than Jest's 5 s.
	// A real hang still fails, just later. (The e2e suite sets its own, longer timeout for booting n8n.)
	testTimeout: 30_000,
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{ ...common, displayName: 'hub', testMatch: ['<rootDir>/hub-api/test/**/*.test.ts'] },
		{
			...common,
			displayName: 'workflow',
			testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
			moduleNameMapper: { '^n8n-workflow$': runtimeN8nWorkflow },
		},
		{ ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
	],
};
