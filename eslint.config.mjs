import { config as n8nCommunityNodeConfig } from '@n8n/node-cli/eslint';
import tseslint from 'typescript-eslint';

// n8n's community-node rules (restricted imports, no console, node/credential conventions) apply to what ships to
// n8n; the hub, tests and scripts are ordinary TypeScript services and get typescript-eslint's recommended set.
const shippedToN8n = ['nodes/**/*.ts', 'credentials/**/*.ts', 'contracts/**/*.ts'];
const restrictToShipped = (entry) =>
	entry.files?.length === 1 && entry.files[0] === '**/*.ts' ? { ...entry, files: shippedToN8n } : entry;

export default tseslint.config(
	{ ignores: ['**/dist/**', '**/node_modules/**', 'n8n-runtime/**', '.skybot/**', '.tmp/**', 'coverage/**'] },
	...n8nCommunityNodeConfig.map(restrictToShipped),
	{
		files: ['hub-api/**/*.ts', 'migrations/**/*.ts', 'n8n-public-api/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
		extends: [tseslint.configs.recommended],
	},
	{
		files: ['test/**/*.ts', 'hub-api/test/**/*.ts'],
		rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
	},
);
