/**
 * CSV as RFC 4180 describes it: CRLF line ends, a field quoted when it holds a comma, a quote, CR or LF, quotes
 * doubled inside. And safe to open in a spreadsheet: a cell starting with = + - @ (or a tab / CR, which some
 * spreadsheets skip before reading a formula) is prefixed with ' so it is shown as text, never run as a formula
 * (OWASP "CSV injection"). Lead names, summaries and messages come from strangers on social media.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export type CsvValue = string | number | null | undefined;

export function csvCell(value: CsvValue): string {
	if (value === null || value === undefined) return '';
	let text = String(value);
	if (FORMULA_START.test(text)) text = `'${text}`;
	return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
	return `${values.map(csvCell).join(',')}\r\n`;
}
