import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { HubErrorBody } from '../../contracts/hub-api';

/** The one error type of the hub: every expected failure carries its HTTP status, a stable code and a message. */
export class HubError extends Error {
	readonly status: number;
	readonly code: string;
	readonly details?: unknown;

	/** `cause` is the underlying failure, for logs; it is never sent to the client. */
	constructor(status: number, code: string, message: string, details?: unknown, cause?: unknown) {
		super(message, cause === undefined ? undefined : { cause });
		this.name = 'HubError';
		this.status = status;
		this.code = code;
		this.details = details;
	}
}

/** 429 with the Retry-After header (whole seconds) that clients and proxies honour. */
export class TooManyRequestsError extends HubError {
	readonly retryAfterSeconds: number;

	constructor(code: string, message: string, retryAfterSeconds: number, cause?: unknown) {
		const wholeSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
		super(429, code, message, { retryAfterSeconds: wholeSeconds }, cause);
		this.retryAfterSeconds = wholeSeconds;
	}
}

export const notFound = (what: string, code = `${what}_not_found`) =>
	new HubError(404, code, `${what.replace(/_/g, ' ')} not found`);

/** body-parser marks its own failures with `type`; each is the client's fault and gets a 4xx, never a 500. */
const BODY_PARSER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
	'entity.parse.failed': { status: 400, code: 'invalid_json', message: 'Request body is not valid JSON' },
	'entity.too.large': { status: 413, code: 'payload_too_large', message: 'Request body is too large' },
	'encoding.unsupported': { status: 415, code: 'unsupported_encoding', message: 'Unsupported content encoding' },
	'charset.unsupported': { status: 415, code: 'unsupported_charset', message: 'Unsupported charset' },
	'request.aborted': { status: 400, code: 'request_aborted', message: 'Request was aborted' },
	'request.size.invalid': {
		status: 400,
		code: 'invalid_body_size',
		message: 'Request size did not match content length',
	},
};

function toHubError(error: unknown): HubError | undefined {
	if (error instanceof HubError) return error;
	const type = (error as { type?: unknown } | null)?.type;
	const known = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
	return known && new HubError(known.status, known.code, known.message);
}

export function errorBody(error: HubError): HubErrorBody {
	return {
		error: {
			code: error.code,
			message: error.message,
			...(error.details === undefined ? {} : { details: error.details }),
		},
	};
}

export const routeNotFound: RequestHandler = (req, _res, next) => {
	next(new HubError(404, 'not_found', `No route for ${req.method} ${req.path}`));
};

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
	return (error: unknown, _req, res, next) => {
		if (res.headersSent) return next(error);
		const hubError =
			toHubError(error) ??
			(() => {
				logger.error({ err: error }, 'unhandled error');
				return new HubError(500, 'internal_error', 'Internal server error');
			})();
		if (hubError instanceof TooManyRequestsError) res.set('Retry-After', String(hubError.retryAfterSeconds));
		res.status(hubError.status).json(errorBody(hubError));
	};
}
