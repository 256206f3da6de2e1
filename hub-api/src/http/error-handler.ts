import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { HubErrorBody } from '../../../contracts/hub-api';
import { HubError, TooManyRequestsError } from '../errors';
import { SecretUnreadableError } from '../secrets/secret-box';

/**
 * How a failure reaches the client: every error becomes a HubError rendered as one JSON body, never a stack trace.
 * body-parser marks its own failures with `type`; each is the client's fault and gets a 4xx, never a 500.
 */
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

function errorBody(error: HubError): HubErrorBody {
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
			(error instanceof SecretUnreadableError
				? (() => {
						// The log names the row, column and key id (never a value); the client learns only that it failed.
						logger.error({ err: { message: error.message, problem: error.problem } }, 'stored secret unreadable');
						return new HubError(500, 'secret_unreadable', 'A stored credential could not be read; the operator has been told');
					})()
				: undefined) ??
			(() => {
				logger.error({ err: error }, 'unhandled error');
				return new HubError(500, 'internal_error', 'Internal server error');
			})();
		if (hubError instanceof TooManyRequestsError) res.set('Retry-After', String(hubError.retryAfterSeconds));
		res.status(hubError.status).json(errorBody(hubError));
	};
}
