/**
 * Placeholders of a fixed reply: `{{contact.name}}`, or `{{contact.name | there}}` with the text to use when the value
 * is unknown (without one, an unknown value is left empty). The fields are a closed list, checked when the scenario
 * is saved: a reply naming a field that does not exist is refused then, not discovered when a contact writes.
 */

/** What a reply can be filled with when the message is decided. */
export interface PlaceholderValues {
	contact: { name?: string; handle?: string };
	companyName?: string;
}

const FIELDS: Record<string, (values: PlaceholderValues) => string | undefined> = {
	'contact.name': (values) => values.contact.name,
	/** The first word of the name: "Bonjour {{contact.firstName}}" greets "Léa Martin" as Léa. */
	'contact.firstName': (values) => values.contact.name?.trim().split(/\s+/u)[0],
	'contact.handle': (values) => values.contact.handle,
	'agent.companyName': (values) => values.companyName,
};

export const PLACEHOLDER_FIELDS = Object.keys(FIELDS);

const PLACEHOLDER = /\{\{([^{}]*)\}\}/gu;
const INSIDE = /^\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)\s*(?:\|([^]*))?$/u;

/** Every reason `text` cannot be filled: malformed placeholders, unknown fields, stray braces. Empty when it can. */
export function placeholderProblems(text: string): string[] {
	const problems: string[] = [];
	for (const [whole, inside] of text.matchAll(PLACEHOLDER)) {
		const field = INSIDE.exec(inside!)?.[1];
		if (field === undefined) problems.push(`${whole} is not a placeholder: write {{field}} or {{field | fallback}}`);
		else if (!(field in FIELDS)) {
			problems.push(`${whole} names an unknown field "${field}"; known fields: ${PLACEHOLDER_FIELDS.join(', ')}`);
		}
	}
	if (/\{\{|\}\}/u.test(text.replace(PLACEHOLDER, ''))) {
		problems.push('"{{" or "}}" outside a placeholder: write placeholders as {{field}}');
	}
	return problems;
}

/** `text` with each placeholder replaced (checked by placeholderProblems when saved: an unknown field is a bug). */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
	return text.replace(PLACEHOLDER, (whole, inside: string) => {
		const [, field, fallback] = INSIDE.exec(inside) ?? [];
		const read = field === undefined ? undefined : FIELDS[field];
		if (!read) throw new Error(`fixed reply with an unchecked placeholder ${whole}`);
		const value = read(values)?.trim();
		return value ? value : (fallback?.trim() ?? '');
	});
}
