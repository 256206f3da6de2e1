import { spawn } from 'node:child_process';
import type { SpawnOptions } from 'node:child_process';

/** How a child ended: its exit code, or the signal that ended it. */
export interface ChildExit {
	code: number | null;
	signal: NodeJS.Signals | null;
}

/** A long-running child process started in its own process group. */
export interface ManagedChild {
	readonly name: string;
	readonly pid: number;
	/** Settles when the child's process leader exits. */
	readonly exited: Promise<ChildExit>;
	/** The last lines the child printed (stdout and stderr), for error messages. */
	recentOutput(): string[];
	/**
	 * Stops the whole process group: the stop signal (SIGTERM by default), then SIGKILL if it is still there after `graceMs`.
	 * Killing the group (not just the leader) is what prevents orphans: n8n, for one, spawns task-runner processes.
	 */
	stop(graceMs?: number): Promise<ChildExit>;
}

export interface StartChildOptions {
	/** Shown as the log prefix, e.g. `n8n` gives lines like `[n8n] Editor is now accessible`. */
	name: string;
	command: string;
	args: readonly string[];
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Receives every output line, already prefixed. Defaults to writing to this process's stdout. */
	onLine?: (prefixedLine: string) => void;
	/** How many output lines `recentOutput()` keeps. */
	keepLines?: number;
	/** The signal that asks the child to shut down cleanly (PostgreSQL wants SIGINT for a fast shutdown). */
	stopSignal?: NodeJS.Signals;
	/** Run as this user/group (root starting PostgreSQL, which refuses to run as root). */
	uid?: number;
	gid?: number;
}

const liveGroups = new Set<number>();
let exitGuardInstalled = false;

/**
 * Last line of defence against orphans: if this process exits without stopping its children (an uncaught error,
 * process.exit elsewhere), SIGKILL every group still alive. `exit` handlers must be synchronous, hence SIGKILL.
 */
function installExitGuard(): void {
	if (exitGuardInstalled) return;
	exitGuardInstalled = true;
	process.on('exit', () => {
		for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
	});
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
	try {
		process.kill(-pgid, signal);
		return true;
	} catch {
		return false;
	}
}

/** Splits a stream into whole lines, holding back a trailing partial line until the next chunk or the end. */
export function createLineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
	let pending = '';
	return {
		push(chunk: string) {
			const parts = (pending + chunk).split(/\r?\n/);
			pending = parts.pop() ?? '';
			for (const line of parts) onLine(line);
		},
		end() {
			if (pending !== '') onLine(pending);
			pending = '';
		},
	};
}

/** Starts `command` detached in a new process group, streaming its output with a `[name]` prefix. */
export function startChild(options: StartChildOptions): ManagedChild {
	const keepLines = options.keepLines ?? 60;
	const onLine = options.onLine ?? ((line: string) => process.stdout.write(`${line}\n`));
	const spawnOptions: SpawnOptions = {
		cwd: options.cwd,
		env: options.env ?? process.env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
		uid: options.uid,
		gid: options.gid,
	};
	const child = spawn(options.command, [...options.args], spawnOptions);
	if (child.pid === undefined) {
		throw new Error(`Could not start ${options.name} (${options.command})`);
	}
	const pid = child.pid;
	installExitGuard();
	liveGroups.add(pid);

	const recent: string[] = [];
	const record = (line: string) => {
		recent.push(line);
		if (recent.length > keepLines) recent.shift();
		onLine(`[${options.name}] ${line}`);
	};
	const splitters = [child.stdout, child.stderr].map((stream) => {
		const splitter = createLineSplitter(record);
		stream?.setEncoding('utf8');
		stream?.on('data', (chunk: string) => splitter.push(chunk));
		stream?.on('end', () => splitter.end());
		return splitter;
	});

	const exited = new Promise<ChildExit>((resolve) => {
		child.on('error', (error) => {
			record(`failed to start: ${error.message}`);
			liveGroups.delete(pid);
			resolve({ code: null, signal: null });
		});
		child.on('exit', (code, signal) => {
			for (const splitter of splitters) splitter.end();
			// The leader is gone; reap anything it left behind in its group (no-op when the group is empty).
			signalGroup(pid, 'SIGKILL');
			liveGroups.delete(pid);
			resolve({ code, signal });
		});
	});

	return {
		name: options.name,
		pid,
		exited,
		recentOutput: () => [...recent],
		async stop(graceMs = 15_000) {
			if (!liveGroups.has(pid)) return exited;
			signalGroup(pid, options.stopSignal ?? 'SIGTERM');
			let timer: NodeJS.Timeout | undefined;
			const forced = new Promise<void>((resolve) => {
				timer = setTimeout(() => {
					signalGroup(pid, 'SIGKILL');
					resolve();
				}, graceMs);
			});
			await Promise.race([exited, forced]);
			clearTimeout(timer);
			return exited;
		},
	};
}

/** Runs a command to completion with inherited output; rejects with the command line when it fails. */
export function runToCompletion(
	command: string,
	args: readonly string[],
	options: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean; uid?: number; gid?: number } = {},
): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, [...args], {
			cwd: options.cwd,
			env: options.env ?? process.env,
			uid: options.uid,
			gid: options.gid,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout?.setEncoding('utf8');
		child.stdout?.on('data', (chunk: string) => {
			stdout += chunk;
			if (!options.quiet) process.stdout.write(chunk);
		});
		child.stderr?.setEncoding('utf8');
		child.stderr?.on('data', (chunk: string) => {
			stderr += chunk;
			if (!options.quiet) process.stderr.write(chunk);
		});
		child.on('error', reject);
		child.on('exit', (code, signal) => {
			if (code === 0) return resolve(stdout);
			const detail = stderr.trim().split('\n').slice(-15).join('\n');
			reject(
				new Error(
					`\`${[command, ...args].join(' ')}\` failed (${signal ?? `exit code ${code}`})${detail ? `:\n${detail}` : ''}`,
				),
			);
		});
	});
}
