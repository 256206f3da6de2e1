import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Hex sha256 over the given chunks, fed in order (like `cat a b | sha256sum`). */
export function sha256Hex(chunks: Iterable<string | Buffer>): string {
	const hash = createHash('sha256');
	for (const chunk of chunks) hash.update(chunk);
	return hash.digest('hex');
}

/** Hex sha256 over the concatenated contents of `files`, in order (the same digest as `cat files... | sha256sum`). */
export function sha256OfFiles(files: readonly string[]): string {
	return sha256Hex(files.map((file) => readFileSync(file)));
}
