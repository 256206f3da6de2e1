import { type Stringifier, stringify } from 'csv-stringify';

export type CsvValue = string | number | null | undefined;

/**
 * A stream from rows of cells (arrays in the order of `headers`) to CSV text, the header line first, also when no
 * row follows. CSV as RFC 4180 describes it: CRLF line ends, a field quoted when it holds a comma, a quote, CR or
 * LF, quotes doubled inside. And safe to open in a spreadsheet: a text cell starting with = + - @ (their full-width
 * forms, or a tab / CR, which some spreadsheets skip before reading a formula) is prefixed with ' so it is shown as
 * text, never run as a formula (OWASP "CSV injection"); a negative number stays a number. Lead names, summaries and
 * messages come from strangers on social media.
 */
export function csvStream(headers: readonly string[]): Stringifier {
	return stringify({
		columns: [...headers],
		header: true,
		record_delimiter: 'windows',
		// Given a record delimiter, csv-stringify quotes a field holding it (CRLF); a lone CR or LF must be quoted too.
		quote_record_delimiter: true,
		escape_formulas: true,
	});
}
