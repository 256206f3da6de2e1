/** An n8n HTTP call that did not succeed: carries the status and n8n's own message. */
export class N8nApiError extends Error {
	readonly status: number;
	readonly method: string;
	readonly path: string;
	/** The message n8n answered with (or why the call could not be made). */
	readonly n8nMessage: string;
	/** `context` says what was being done, e.g. `publishing workflow "Inbound pipeline"`. */
	constructor(method: string, path: string, status: number, n8nMessage: string, context?: string) {
		super(`${context ? `${context}: ` : ''}n8n ${method} ${path} failed with ${status}: ${n8nMessage}`);
		this.name = 'N8nApiError';
		this.status = status;
		this.method = method;
		this.path = path;
		this.n8nMessage = n8nMessage;
	}
	/** The same error, saying what was being done. */
	during(context: string): N8nApiError {
		return new N8nApiError(this.method, this.path, this.status, this.n8nMessage, context);
	}
}

export interface N8nRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	path: string;
	body?: unknown;
	headers?: Record<string, string>;
}

/** Sends a JSON request to n8n and returns the parsed body and headers; non-2xx statuses throw N8nApiError. */
export async function n8nRequest<T>(baseUrl: string, request: N8nRequest): Promise<{ body: T; headers: Headers }> {
	let response: Response;
	try {
		response = await fetch(`${baseUrl}${request.path}`, {
			method: request.method,
			headers: {
				accept: 'application/json',
				...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
				...request.headers,
			},
			body: request.body === undefined ? undefined : JSON.stringify(request.body),
		});
	} catch (error) {
		throw new N8nApiError(request.method, request.path, 0, `n8n is not reachable at ${baseUrl} (${(error as Error).message})`);
	}
	const text = await response.text();
	let parsed: unknown = undefined;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		parsed = undefined;
	}
	if (!response.ok) {
		const message = (parsed as { message?: unknown } | undefined)?.message;
		throw new N8nApiError(
			request.method,
			request.path,
			response.status,
			typeof message === 'string' ? message : text.slice(0, 500) || response.statusText,
		);
	}
	return { body: parsed as T, headers: response.headers };
}

/** A client for n8n's public API (`/api/v1`, header X-N8N-API-KEY). */
export function publicApi(baseUrl: string, apiKey: string) {
	return <T>(method: N8nRequest['method'], path: string, body?: unknown) =>
		n8nRequest<T>(baseUrl, { method, path: `/api/v1${path}`, body, headers: { 'x-n8n-api-key': apiKey } }).then(
			(response) => response.body,
		);
}

/** Follows n8n's cursor pagination (`{data, nextCursor}`) and returns every item. */
export async function listAll<T>(
	call: <R>(method: 'GET', path: string) => Promise<R>,
	path: string,
): Promise<T[]> {
	const items: T[] = [];
	let cursor: string | null | undefined;
	do {
		const separator = path.includes('?') ? '&' : '?';
		const page = await call<{ data: T[]; nextCursor?: string | null }>(
			'GET',
			`${path}${separator}limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		items.push(...page.data);
		cursor = page.nextCursor;
	} while (cursor);
	return items;
}
