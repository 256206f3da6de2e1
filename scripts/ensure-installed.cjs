// First step of `npm start` and `npm test` (called from the scripts themselves: .npmrc's ignore-scripts also turns
// npm's pre-script hooks off). CommonJS on purpose, so an older Node runs it and prints one clear line about
// Node 24 instead of a syntax error; the typed helpers it loads are ES modules (require(esm), Node >= 22.12).
{
	const nodeMajor = Number(process.versions.node.split('.')[0]);
	if (nodeMajor < 24) {
		console.error(
			`SkyBot Hub needs Node.js 24 or newer, but this is Node ${process.version} — install Node 24 (e.g. \`nvm install 24\`) and run again.`,
		);
		process.exit(1);
	}
	const { ensureInstalled } = require('./lib/install-check.ts');
	const { findRepoRoot } = require('./lib/paths.ts');
	if (!ensureInstalled(findRepoRoot())) process.exit(1);
}
