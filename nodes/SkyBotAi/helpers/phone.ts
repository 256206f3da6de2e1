/**
 * Phone numbers found in a customer's text, normalised to E.164 (+ then 8 to 15 digits). Deliberately small and
 * dependency-free (the node package ships no runtime dependencies, so no libphonenumber): a table of the countries
 * SkyBot's customers mostly message from, with each one's trunk prefix and national number lengths, and the generic
 * E.164 rule for every other calling code.
 */

export interface CountryNumbering {
	name: string;
	callingCode: string;
	/** Digit dialled before a national number inside the country (0 in France); none where there is no such prefix. */
	trunkPrefix?: string;
	/** True where national numbers are usually written without the trunk prefix (North America). */
	trunkOptional?: boolean;
	/** Allowed lengths of the national significant number (what follows the calling code). */
	nationalLengths: readonly number[];
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

export const COUNTRIES = {
	FR: { name: 'France', callingCode: '33', trunkPrefix: '0', nationalLengths: [9] },
	BE: { name: 'Belgium', callingCode: '32', trunkPrefix: '0', nationalLengths: [8, 9] },
	CH: { name: 'Switzerland', callingCode: '41', trunkPrefix: '0', nationalLengths: [9] },
	DE: { name: 'Germany', callingCode: '49', trunkPrefix: '0', nationalLengths: range(6, 13) },
	ES: { name: 'Spain', callingCode: '34', nationalLengths: [9] },
	IT: { name: 'Italy', callingCode: '39', nationalLengths: range(6, 11) },
	PT: { name: 'Portugal', callingCode: '351', nationalLengths: [9] },
	NL: { name: 'Netherlands', callingCode: '31', trunkPrefix: '0', nationalLengths: [9] },
	GB: { name: 'United Kingdom', callingCode: '44', trunkPrefix: '0', nationalLengths: [9, 10] },
	IE: { name: 'Ireland', callingCode: '353', trunkPrefix: '0', nationalLengths: [7, 8, 9] },
	US: { name: 'United States', callingCode: '1', trunkPrefix: '1', trunkOptional: true, nationalLengths: [10] },
	CA: { name: 'Canada', callingCode: '1', trunkPrefix: '1', trunkOptional: true, nationalLengths: [10] },
	MA: { name: 'Morocco', callingCode: '212', trunkPrefix: '0', nationalLengths: [9] },
	DZ: { name: 'Algeria', callingCode: '213', trunkPrefix: '0', nationalLengths: [8, 9] },
	TN: { name: 'Tunisia', callingCode: '216', nationalLengths: [8] },
	SN: { name: 'Senegal', callingCode: '221', nationalLengths: [9] },
	CI: { name: "Côte d'Ivoire", callingCode: '225', nationalLengths: [10] },
} as const satisfies Record<string, CountryNumbering>;

export type CountryCode = keyof typeof COUNTRIES;
export const DEFAULT_COUNTRY: CountryCode = 'FR';

export function isCountryCode(value: unknown): value is CountryCode {
	return typeof value === 'string' && Object.hasOwn(COUNTRIES, value);
}

const E164 = /^\+[1-9]\d{7,14}$/;

export function isE164(value: string): boolean {
	return E164.test(value);
}

const byCallingCode = new Map<string, CountryNumbering>(
	Object.values(COUNTRIES).map((country: CountryNumbering) => [country.callingCode, country]),
);

/** The known country whose calling code starts `digits` (codes are prefix-free, so at most one matches). */
function knownCountryOf(digits: string): CountryNumbering | undefined {
	for (const length of [1, 2, 3]) {
		const country = byCallingCode.get(digits.slice(0, length));
		if (country) return country;
	}
	return undefined;
}

/**
 * One written phone number → E.164, or null when it is not a plausible number. Accepts international writing
 * (+33 6 12 34 56 78, 0033 6…, +33 (0)6…) and national writing in `defaultCountry` (06 12 34 56 78); separators
 * (spaces, dots, dashes, parentheses) are ignored.
 */
export function normalizePhone(written: string, defaultCountry: CountryCode = DEFAULT_COUNTRY): string | null {
	// "+33 (0)6…": the bracketed trunk prefix is a reminder for national callers, never dialled internationally.
	const compact = written.trim().replace(/\(0\)/g, '');
	if (!/^(?:\+|00)?[\d\s.\-()\u00a0]+$/.test(compact)) return null;
	const international = compact.startsWith('+') || compact.startsWith('00');
	const allDigits = compact.replace(/\D/g, '');
	const digits = compact.startsWith('00') ? allDigits.slice(2) : allDigits;

	if (international) {
		const country = knownCountryOf(digits);
		if (!country) return isE164(`+${digits}`) ? `+${digits}` : null;
		let national = digits.slice(country.callingCode.length);
		// A common slip: the national trunk 0 kept after the calling code (+33 06 12…).
		if (country.trunkPrefix === '0' && national.startsWith('0') && !country.nationalLengths.includes(national.length)) {
			national = national.slice(1);
		}
		return validNational(country, national);
	}

	const country: CountryNumbering = COUNTRIES[defaultCountry];
	if (country.trunkPrefix && digits.startsWith(country.trunkPrefix)) {
		const withoutTrunk = validNational(country, digits.slice(country.trunkPrefix.length));
		if (withoutTrunk || !country.trunkOptional) return withoutTrunk;
	}
	// Where a trunk prefix is the rule, a national number is written with it; without it, digits are too likely to
	// be something else (a date, an amount, an order number).
	if (country.trunkPrefix && !country.trunkOptional) return null;
	return validNational(country, digits);
}

function validNational(country: CountryNumbering, national: string): string | null {
	if (!country.nationalLengths.includes(national.length)) return null;
	const number = `+${country.callingCode}${national}`;
	return isE164(number) ? number : null;
}

/**
 * Digit groups that may be a phone number: an optional + or 00, then digits with single separators between groups
 * (space, dot, dash, no-break space, an optional "(0)" or bracketed area code). Anything else — a letter, a slash,
 * a comma, two separators in a row — ends the candidate, so "06 12 34 56 78 / 07 98 76 54 32" gives two.
 */
const CANDIDATE = /(?<![\w+])(?:\+|00)?\(?\d{1,4}\)?(?:[ .\-\u00a0]?(?:\(0\)[ .\-\u00a0]?)?\(?\d{1,5}\)?)*/g;
const MIN_CANDIDATE_DIGITS = 6;

export interface PhoneMatch {
	/** E.164. */
	number: string;
	/** As written in the text. */
	raw: string;
}

/** Every distinct phone number written in `text`, in order of appearance (the same number twice counts once). */
export function findPhoneNumbers(text: string, defaultCountry: CountryCode = DEFAULT_COUNTRY): PhoneMatch[] {
	const found = new Map<string, PhoneMatch>();
	for (const [candidate] of text.matchAll(CANDIDATE)) {
		const raw = candidate.trim();
		if (raw.replace(/\D/g, '').length < MIN_CANDIDATE_DIGITS) continue;
		const number = normalizePhone(raw, defaultCountry);
		if (number && !found.has(number)) found.set(number, { number, raw });
	}
	return [...found.values()];
}

/** What the model answered for "extract the phone number", validated: null number when it is not a valid one. */
export function readPhoneAnswer(answer: string, defaultCountry: CountryCode = DEFAULT_COUNTRY): PhoneMatch | { number: null; raw: string | null } {
	const cleaned = answer.trim().replace(/^["'`«\s]+|["'`»\s.]+$/g, '');
	if (cleaned === '' || /^(?:none|null|no|aucun)$/i.test(cleaned)) return { number: null, raw: null };
	// The model sometimes wraps the number in a sentence; the first plausible number in its answer is the one.
	const [first] = findPhoneNumbers(cleaned, defaultCountry);
	return first ?? { number: null, raw: cleaned.slice(0, 200) };
}
