/**
 * The hub as a separate OS process (src/main.ts, as `npm start` runs it), for tests about what several processes
 * share. Node runs the TypeScript sources through @swc/core, the transform Jest uses, so no build is needed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = join(process.cwd(), 'hub-api', 'src', 'main.ts');

// CommonJS require hook: every .ts file (extensionless imports included) is transformed by swc before it runs.
const BOOTSTRAP = `
const { transformSync } = require('@swc/core');
const { readFileSync } = require('node:fs');
require.extensions['.ts'] = (module, filename) => {
	const { code } = transformSync(readFileSync(filename, 'utf8'), {
		filename,
		module: { type: 'commonjs' },
		jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
	});
	module._compile(code, filename);
};
require(process.argv[1]);
`;

export interface HubProcess {
	url: string;
	/** SIGTERM, then waits for the process to exit. */
	stop(): Promise<void>;
}

/** Starts src/main.ts with `env` (PORT 0) and resolves once it logs "hub listening"; rejects if it exits first. */
export async function startHubProcess(env: Record<string, string>): Promise<HubProcess> {
	const child: ChildProcess = spawn(process.execPath, ['-e', BOOTSTRAP, MAIN], {
		cwd: process.cwd(),
		env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stderr = '';
	child.stderr!.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const exited = once(child, 'exit');
	const url = await new Promise<string>((resolve, reject) => {
		createInterface({ input: child.stdout! }).on('line', (line) => {
			try {
				const entry = JSON.parse(line) as { msg?: string; url?: string };
				if (entry.msg === 'hub listening' && entry.url) resolve(entry.url);
			} catch {
				// Not a log line.
			}
		});
		void exited.then(([code]) => reject(new Error(`hub process exited with ${String(code)}: ${stderr}`)));
	});
	return {
		url,
		stop: async () => {
			if (child.exitCode === null) child.kill('SIGTERM');
			await exited;
		},
	};
}

/** Runs the operator CLI (src/cli.ts) to its end: its exit code, stdout and stderr. */
export async function runHubCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const child = spawn(process.execPath, ['-e', BOOTSTRAP, join(process.cwd(), 'hub-api', 'src', 'cli.ts'), ...args], {
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
	child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
	const [code] = (await once(child, 'exit')) as [number | null];
	return { code, stdout, stderr };
}
