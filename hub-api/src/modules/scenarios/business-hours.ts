/**
 * Business hours: per weekday, a list of "HH:MM-HH:MM" ranges in the scenario's IANA time zone. A range includes
 * its start minute and excludes its end ("09:00-18:00": 09:00 is inside, 18:00 is not); "24:00" ends a range at
 * midnight. A range never crosses midnight: a night shift is "22:00-24:00" on one day and "00:00-06:00" on the next.
 * Local time comes from Intl, so summer time (DST) is the time zone's own, never a fixed offset.
 */

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type BusinessHours = Partial<Record<Weekday, string[]>>;

const RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;
const MINUTES_PER_DAY = 24 * 60;

/** A range as minutes since local midnight, start inclusive, end exclusive. */
export interface MinuteRange {
	start: number;
	end: number;
}

/** `range` in minutes, or why it is not a valid range. */
export function parseTimeRange(range: string): MinuteRange | { problem: string } {
	const match = RANGE.exec(range);
	if (!match) return { problem: `"${range}" is not a time range "HH:MM-HH:MM"` };
	const [startHour, startMinute, endHour, endMinute] = match.slice(1).map(Number) as [number, number, number, number];
	const minute = (hour: number, minutes: number) => (hour < 24 && minutes < 60 ? hour * 60 + minutes : null);
	const start = minute(startHour, startMinute);
	const end = endHour === 24 && endMinute === 0 ? MINUTES_PER_DAY : minute(endHour, endMinute);
	if (start === null || end === null) {
		return { problem: `"${range}" is not a time of day (00:00 to 23:59, or 24:00 as an end)` };
	}
	if (end <= start) {
		return { problem: `"${range}" does not end after it starts (a range cannot cross midnight: split it over two days)` };
	}
	return { start, end };
}

/**
 * Is `timeZone` an IANA zone name Intl knows? Case-insensitive, like Intl; offsets ("+01:00"), which recent Intl
 * versions also accept, are refused: they have no summer time, which is the point of naming a zone.
 */
export function isTimeZone(timeZone: string): boolean {
	if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(timeZone)) return false;
	try {
		formatterFor(timeZone);
		return true;
	} catch {
		return false;
	}
}

/** The zone's own spelling ("europe/paris" → "Europe/Paris"); `timeZone` unchanged when it is not a zone. */
export function canonicalTimeZone(timeZone: string): string {
	return isTimeZone(timeZone) ? formatterFor(timeZone).resolvedOptions().timeZone : timeZone;
}

/** Building an Intl formatter costs far more than using one: one per zone, kept (there are a few hundred zones). */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
	const key = timeZone.toLowerCase();
	let formatter = formatters.get(key);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en-US', {
			timeZone,
			weekday: 'long',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23',
		});
		formatters.set(key, formatter);
	}
	return formatter;
}

/** The weekday and the minute of the day that `at` is in `timeZone`. */
export function localTime(at: Date, timeZone: string): { weekday: Weekday; minute: number } {
	const parts = formatterFor(timeZone).formatToParts(at);
	const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '';
	const weekday = part('weekday').toLowerCase() as Weekday;
	return { weekday, minute: Number(part('hour')) * 60 + Number(part('minute')) };
}

/** Is `at` inside one of the day's ranges, in `timeZone`? A day the definition does not list is closed. */
export function isWithinBusinessHours(hours: BusinessHours, timeZone: string, at: Date): boolean {
	const { weekday, minute } = localTime(at, timeZone);
	return (hours[weekday] ?? []).some((range) => {
		const parsed = parseTimeRange(range);
		return 'start' in parsed && parsed.start <= minute && minute < parsed.end;
	});
}
