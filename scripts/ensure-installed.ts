// `prestart` / `pretest` hook. Written in the JavaScript subset of TypeScript (no type syntax, CommonJS require) on
// purpose: an older Node parses a .ts file as plain CommonJS, so it reaches the version check below and prints one
// clear line instead of a syntax error.
{
	const nodeMajor = Number(process.versions.node.split('.')[0]);
	if (nodeMajor < 24) {
		console.error(
			`SkyBot Hub needs Node.js 24 or newer, but this is Node ${process.version} — install Node 24 (e.g. \`nvm install 24\`) and run again.`,
		);
		process.exit(1);
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- see the note at the top of this file
	const { ensureInstalled } = require('./lib/install-check.ts');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { findRepoRoot } = require('./lib/paths.ts');
	if (!ensureInstalled(findRepoRoot())) process.exit(1);
}
