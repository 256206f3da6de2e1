import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Raised when a state file exists but is not a JSON object; names the file so the user can fix or delete it. */
export class StateFileError extends Error {
	readonly file: string;
	constructor(file: string, reason: string) {
		super(`State file ${file} is unreadable (${reason}) — fix it or delete it to start over`);
		this.name = 'StateFileError';
		this.file = file;
	}
}

/**
 * Reads a JSON object kept on disk between runs (generated passwords, API keys, ids).
 * A missing file is an empty state; a corrupt one is an error rather than a silent reset, because resetting would
 * orphan whatever the old state pointed at (an API key nobody can read again, duplicate credentials).
 */
export function readStateFile<T extends object>(file: string): Partial<T> {
	if (!existsSync(file)) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(readFileSync(file, 'utf8'));
	} catch (error) {
		throw new StateFileError(file, (error as Error).message);
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new StateFileError(file, 'not a JSON object');
	}
	return parsed as Partial<T>;
}

/**
 * Writes the state atomically (temp file + rename, so a crash never leaves half a file) and readable by the owner only
 * (mode 0600), since it holds secrets.
 */
export function writeStateFile(file: string, state: object): void {
	mkdirSync(dirname(file), { recursive: true });
	const temporary = `${file}.${process.pid}.tmp`;
	writeFileSync(temporary, `${JSON.stringify(state, null, '\t')}\n`, { mode: 0o600 });
	chmodSync(temporary, 0o600);
	renameSync(temporary, file);
}

/** Merges `patch` into the state on disk and returns the merged state. */
export function updateStateFile<T extends object>(file: string, patch: Partial<T>): Partial<T> {
	const merged = { ...readStateFile<T>(file), ...patch };
	writeStateFile(file, merged);
	return merged;
}
