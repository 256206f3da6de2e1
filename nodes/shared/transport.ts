import type { IExecuteFunctions, IHttpRequestOptions, IN8nHttpFullResponse, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ERROR_CODE_CONTEXT_KEY } from './item-error';
import { isRecord } from './json';

/** What a node error says about a refused call, read from the service's own error answer. */
export interface ApiErrorDetails {
	message: string;
	description?: string;
	/** The service's error code, kept on the error for the item's `error.code`. */
	code?: string;
}

export interface AuthenticatedRequest {
	/** The credential type that authenticates the call. */
	credentialType: string;
	http: Pick<IHttpRequestOptions, 'method' | 'url' | 'body' | 'headers'>;
	itemIndex: number;
	/** Reads the service's error answer (its body and status) into the node error's wording. */
	describeError: (body: unknown, httpStatus: number) => ApiErrorDetails;
}

/**
 * One call through n8n's authenticated HTTP helper, as every SkyBot transport makes it: the body of a 2xx answer,
 * or a NodeApiError for that item, worded by the service's error answer and carrying its status and code.
 * Statuses are read here rather than thrown by n8n, so the error quotes what the service said.
 */
export async function authenticatedRequest(this: IExecuteFunctions, request: AuthenticatedRequest): Promise<unknown> {
	const response = (await this.helpers.httpRequestWithAuthentication.call(this, request.credentialType, {
		...request.http,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as IN8nHttpFullResponse;

	if (response.statusCode >= 200 && response.statusCode < 300) return response.body;

	const details = request.describeError(response.body, response.statusCode);
	const error = new NodeApiError(this.getNode(), (isRecord(response.body) ? response.body : {}) as JsonObject, {
		message: details.message,
		description: details.description,
		httpCode: String(response.statusCode),
		itemIndex: request.itemIndex,
	});
	if (details.code) error.context[ERROR_CODE_CONTEXT_KEY] = details.code;
	throw error;
}
