/**
 * Template placeholders: `{{skybot:<path>}}` inside any string of a template's workflow JSON or credential data,
 * replaced at deploy time. A string that is exactly one placeholder takes the value itself (numbers and booleans
 * stay numbers and booleans; an absent optional value removes the field); a placeholder inside a longer string is
 * replaced by the value's text. The `skybot:` prefix keeps them apart from n8n's own `{{ $json… }}` expressions,
 * which pass through untouched.
 */
const PLACEHOLDER = /\{\{skybot:([A-Za-z0-9_.]+)\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{skybot:([A-Za-z0-9_.]+)\}\}$/;

export type PlaceholderValue = string | number | boolean | undefined;

/** Every placeholder path used anywhere in `value`, with where it was found (for load-time checks). */
export function placeholdersIn(value: unknown, at = ''): { path: string; at: string }[] {
	if (typeof value === 'string') return [...value.matchAll(PLACEHOLDER)].map((match) => ({ path: match[1]!, at }));
	if (Array.isArray(value)) return value.flatMap((item, index) => placeholdersIn(item, `${at}[${index}]`));
	if (value !== null && typeof value === 'object') {
		return Object.entries(value).flatMap(([key, item]) => [
			...placeholdersIn(key, `${at}.${key}`),
			...placeholdersIn(item, at ? `${at}.${key}` : key),
		]);
	}
	return [];
}

/**
 * A copy of `value` with every placeholder replaced by `resolve(path)`. Paths `resolve` does not know must have
 * been rejected when the template was loaded, so an unknown path here is a bug and throws.
 */
export function substitute<T>(value: T, resolve: (path: string) => PlaceholderValue): T {
	return substituteAny(value, resolve) as T;
}

function substituteAny(value: unknown, resolve: (path: string) => PlaceholderValue): unknown {
	if (typeof value === 'string') {
		const whole = WHOLE_PLACEHOLDER.exec(value);
		if (whole) return resolve(whole[1]!);
		return value.replace(PLACEHOLDER, (_match, path: string) => String(resolve(path) ?? ''));
	}
	if (Array.isArray(value)) return value.map((item) => substituteAny(item, resolve));
	if (value !== null && typeof value === 'object') {
		const copy: Record<string, unknown> = {};
		for (const [key, item] of Object.entries(value)) {
			const replaced = substituteAny(item, resolve);
			if (replaced !== undefined) copy[key] = replaced;
		}
		return copy;
	}
	return value;
}
