import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { ERROR_CODE_CONTEXT_KEY } from './item-error';
import { isRecord } from './json';

/** What a node error says about a refused call, read from the service's own error answer. */
export interface ApiErrorDetails {
	message: string;
	description?: string;
	/** The service's error code, kept on the error for the item's `error.code`. */
	code?: string;
}

/** The n8n contexts a SkyBot transport is called from: an action node's execute() or a polling trigger's poll(). */
export type RequestContext = IExecuteFunctions | IPollFunctions;

export interface AuthenticatedRequest {
	/** The credential type that authenticates the call. */
	credentialType: string;
	/**
	 * The credential is an OAuth2 one (e.g. n8n's youTubeOAuth2Api). n8n refreshes its access token only when the
	 * request THROWS a 401 (n8n-core requestOAuth2), so a 401 is then let through as an error instead of being
	 * read as an answer; n8n refreshes the token and repeats the call once, and a 401 that survives the refresh is
	 * worded by `describeError` like any refusal.
	 */
	oauth2?: boolean;
	http: Pick<IHttpRequestOptions, 'method' | 'url' | 'body' | 'headers'>;
	itemIndex: number;
	/** Reads the service's error answer (its body, status and headers, e.g. Retry-After) into the node error's wording. */
	describeError: (body: unknown, httpStatus: number, headers: IDataObject) => ApiErrorDetails;
	/** Retries of a 429 or 5xx answer; without it, a refused call fails at once. */
	retry?: RetryPolicy;
}

/**
 * How a call is repeated after a 429 (rate limited) or a 5xx answer: as soon as the service says it may be
 * (`Retry-After`, or OpenAI's `retry-after-ms`), else after an exponential backoff with jitter. Bounded twice: at most
 * `attempts` calls, and never a wait longer than `maxDelayMs` — a service asking for more is not waited for, so an
 * execution never hangs on it; the call fails at once and the item's error says why.
 */
export interface RetryPolicy {
	/** Calls in all, the first one included (1: no retry). */
	attempts: number;
	/** The backoff before retry n when the service names no time: about baseDelayMs × 2^(n-1). */
	baseDelayMs: number;
	maxDelayMs: number;
}

const isRetryableStatus = (status: number) => status === 429 || status >= 500;

function header(headers: IDataObject | undefined, name: string): string | undefined {
	const value = headers?.[name];
	return typeof value === 'string' ? value : undefined;
}

/** The service's own wait, in milliseconds: `retry-after-ms`, or `Retry-After` as seconds or an HTTP date. */
function requestedWaitMs(headers: IDataObject | undefined, now: number): number | undefined {
	const milliseconds = Number(header(headers, 'retry-after-ms'));
	if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) {
		return milliseconds;
	}
	const retryAfter = header(headers, 'retry-after')?.trim();
	if (!retryAfter) return undefined;
	if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
	const date = Date.parse(retryAfter);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before retry number `retry` (1, 2 …) of an answer with these headers, or undefined when the
 * service asks for longer than the policy allows.
 */
export function retryDelayMs(
	headers: IDataObject | undefined,
	retry: number,
	policy: RetryPolicy,
	random = Math.random,
	now = Date.now(),
): number | undefined {
	const requested = requestedWaitMs(headers, now);
	if (requested !== undefined) return requested <= policy.maxDelayMs ? requested : undefined;
	const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
	// Half fixed, half random: retries of many items failing together do not arrive together.
	return backoff / 2 + random() * (backoff / 2);
}

/**
 * One call through n8n's authenticated HTTP helper, as every SkyBot transport makes it: the body of a 2xx answer,
 * or a NodeApiError for that item, worded by the service's error answer and carrying its status and code.
 * Statuses are read here rather than thrown by n8n, so the error quotes what the service said.
 */
export async function authenticatedRequest(this: RequestContext, request: AuthenticatedRequest): Promise<unknown> {
	const { retry } = request;
	const attempts = Math.max(1, retry?.attempts ?? 1);
	let response: IN8nHttpFullResponse;
	let made = 0;
	let waitRefused = false;
	for (;;) {
		response = await sendOnce.call(this, request);
		made += 1;
		if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
		if (!retry || made >= attempts || !isRetryableStatus(response.statusCode)) break;
		const wait = retryDelayMs(response.headers, made, retry);
		if (wait === undefined) {
			waitRefused = true;
			break;
		}
		await sleep(wait);
	}

	const details = request.describeError(response.body, response.statusCode, response.headers ?? {});
	// Said only where retries were allowed: why this answer was the last.
	let retried: string | undefined;
	if (retry && attempts > 1 && isRetryableStatus(response.statusCode)) {
		retried = waitRefused
			? `Not retried: the service asked to wait longer than ${retry.maxDelayMs / 1000} s (attempt ${made} of ${attempts})`
			: `Gave up after ${made} attempt${made === 1 ? '' : 's'}`;
	}
	const error = new NodeApiError(this.getNode(), (isRecord(response.body) ? response.body : {}) as JsonObject, {
		message: details.message,
		description: [details.description, retried].filter(Boolean).join('. ') || undefined,
		httpCode: String(response.statusCode),
		itemIndex: request.itemIndex,
	});
	if (details.code) error.context[ERROR_CODE_CONTEXT_KEY] = details.code;
	throw error;
}

async function sendOnce(this: RequestContext, request: AuthenticatedRequest): Promise<IN8nHttpFullResponse> {
	const options: IHttpRequestOptions = {
		...request.http,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: request.oauth2 ? { ignore: true, except: [401] } : true,
	};
	try {
		return (await this.helpers.httpRequestWithAuthentication.call(
			this,
			request.credentialType,
			options,
		)) as IN8nHttpFullResponse;
	} catch (error) {
		const refused = request.oauth2 ? thrownUnauthorized(error) : undefined;
		if (refused) return refused;
		// n8n throws node errors already (a failed token refresh says to reconnect the credential); both constructors
		// hand an error of their own class back unchanged.
		if (error instanceof NodeOperationError) throw new NodeOperationError(this.getNode(), error);
		throw new NodeApiError(this.getNode(), (isRecord(error) ? error : { message: String(error) }) as JsonObject);
	}
}

/**
 * The 401 answer inside what n8n threw for it (a NodeApiError around the HTTP client's error, whose `response`
 * holds the status and body), so it is worded like any other refusal. Anything else is not ours to read.
 */
function thrownUnauthorized(error: unknown): IN8nHttpFullResponse | undefined {
	if (!isRecord(error)) return undefined;
	const cause = isRecord(error.cause) ? error.cause : undefined;
	const response = [error.response, cause?.response].find(isRecord);
	const status = Number(response?.status ?? error.httpCode);
	if (status !== 401) return undefined;
	const context = isRecord(error.context) ? error.context : undefined;
	return {
		statusCode: 401,
		body: response?.data ?? context?.data ?? {},
		headers: (isRecord(response?.headers) ? response.headers : {}) as IDataObject,
	};
}
