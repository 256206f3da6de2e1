import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config';

/** Headers that carry credentials; pino-http logs request headers, so these are censored before anything is written. */
export const REDACTED_PATHS = [
	'req.headers["x-api-key"]',
	'req.headers.authorization',
	'req.headers.cookie',
	'res.headers["set-cookie"]',
];

/** Writes JSON lines to stdout unless given another destination (tests capture lines to check the redaction). */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
	const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
	return destination ? pino(options, destination) : pino(options);
}
