// `npm run n8n:install` (and `node scripts/n8n-runtime/cli.ts <command>`): manage the pinned n8n runtime by hand.
import { installN8nRuntime, isN8nRuntimeInstalled, n8nRuntimeDir } from './runtime.ts';

const USAGE = `Usage: node scripts/n8n-runtime/cli.ts <command>
  install   install the pinned n8n (n8n-runtime/) into the cache, if not there yet
  path      print the runtime directory (and whether it is installed)`;

async function main(command: string | undefined): Promise<number> {
	switch (command) {
		case 'install': {
			const runtime = await installN8nRuntime({ onProgress: (line) => console.log(line) });
			console.log(runtime.alreadyInstalled ? `n8n is already installed in ${runtime.dir}` : `Ready: ${runtime.dir}`);
			return 0;
		}
		case 'path': {
			const dir = n8nRuntimeDir();
			console.log(`${dir}${isN8nRuntimeInstalled(dir) ? '' : ' (not installed yet: npm run n8n:install)'}`);
			return 0;
		}
		default:
			console.error(USAGE);
			return 2;
	}
}

main(process.argv[2]).then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : String(error));
		process.exitCode = 1;
	},
);
