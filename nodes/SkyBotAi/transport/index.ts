import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { authenticatedRequest } from '../../shared/transport';
import { readApiError } from '../helpers/completion';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Retries of a rate-limited (429) or failed (5xx) model call unless the operation's Max Retries says otherwise. */
export const DEFAULT_MAX_RETRIES = 2;
/** First backoff when the API names no wait; the longest wait honoured (OpenAI's Retry-After is usually seconds). */
const RETRY_BASE_DELAY_MS = 1_000;
const RETRY_MAX_DELAY_MS = 20_000;

/**
 * Every call of SkyBot AI goes through here, with n8n's own OpenAI credential. Its Base URL field (`url`) points
 * the node at a proxy or any OpenAI-compatible server. A 429 or 5xx answer is retried `maxRetries` times, as soon
 * as the API's Retry-After allows (at most 20 s) or after a backoff of about 1 s, 2 s, 4 s …
 */
export async function openAiRequest(
	this: IExecuteFunctions,
	path: string,
	body: IDataObject,
	itemIndex: number,
	maxRetries = DEFAULT_MAX_RETRIES,
): Promise<unknown> {
	const credentials = await this.getCredentials<{ url?: string }>('openAiApi', itemIndex);
	const baseUrl = (credentials.url || DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, '');
	return await authenticatedRequest.call(this, {
		credentialType: 'openAiApi',
		http: { method: 'POST', url: `${baseUrl}${path}`, body },
		itemIndex,
		retry: { attempts: maxRetries + 1, baseDelayMs: RETRY_BASE_DELAY_MS, maxDelayMs: RETRY_MAX_DELAY_MS },
		describeError: (errorBody, httpStatus) => {
			const apiError = readApiError(errorBody);
			return {
				message: `AI API error ${httpStatus}: ${apiError.message ?? 'no error message'}`,
				description: apiError.code ? `Error code ${apiError.code}` : undefined,
				code: apiError.code,
			};
		},
	});
}
