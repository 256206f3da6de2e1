// Four suites, run in this order by `npm test` (scripts/test.ts):
//   unit      pure logic of the node package (signatures, payload fan-out, decision rules, transports)
//   hub       the hub API on a real, freshly migrated PostgreSQL database and real Redis
//   workflow  the versioned workflow JSON executed in-process by n8n-core's WorkflowExecute
//   e2e       a real n8n (the pinned runtime) with the package installed, driven over HTTP
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

/** @type {import('jest').Config} */
module.exports = {
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{ ...common, displayName: 'hub', testMatch: ['<rootDir>/hub-api/test/**/*.test.ts'] },
		{ ...common, displayName: 'workflow', testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
		{ ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
	],
};
