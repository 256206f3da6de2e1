import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

/** Headers that carry credentials; pino-http logs request headers, so these are censored before anything is written. */
export const REDACTED_PATHS = [
	'req.headers["x-api-key"]',
	'req.headers.authorization',
	'req.headers.cookie',
	'res.headers["set-cookie"]',
];

export function createLogger(level: LogLevel): Logger {
	return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
