
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

/** One or more request values failed validation: 422 listing every issue (path, message, code). */
export interface ValidationIssue {
	path: string;
	message: string;
	code: string;
}

export function validationFailed(issues: ValidationIssue[]): HubError {
	return new HubError(422, 'validation_failed', 'Request validation failed', issues);
}
