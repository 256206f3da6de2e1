/** Small readers for untyped JSON (webhook payloads, API responses, item json). No n8n imports. */
export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

export function asNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
	return undefined;
}

/** A JSON number literal, matched from a given position (sticky). */
const NUMBER_LITERAL = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * JSON.parse, except that integers JSON.parse would round (beyond ±2^53, like TikTok's 19-digit comment, video and
 * message ids, which TikTok sends as bare numbers) come back as their exact digits in a string. The text is scanned
 * once, outside string literals, and only those integer literals are quoted before parsing; everything else, and
 * every error for malformed JSON, is JSON.parse's own.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
	let quoted = '';
	let copiedUpTo = 0;
	let index = 0;
	while (index < text.length) {
		const char = text[index];
		if (char === '"') {
			// Skip the string literal, escapes included.
			index++;
			while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
			index++;
			continue;
		}
		if (char === '-' || (char >= '0' && char <= '9')) {
			NUMBER_LITERAL.lastIndex = index;
			const match = NUMBER_LITERAL.exec(text);
			if (match) {
				const literal = match[0];
				const isInteger = match[1] === undefined && match[2] === undefined;
				if (isInteger && !Number.isSafeInteger(Number(literal))) {
					quoted += `${text.slice(copiedUpTo, index)}"${literal}"`;
					copiedUpTo = index + literal.length;
				}
				index += literal.length;
				continue;
			}
		}
		index++;
	}
	return JSON.parse(quoted + text.slice(copiedUpTo)) as unknown;
}
