import type { IDataObject, IExecuteFunctions, IN8nHttpFullResponse, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ERROR_CODE_CONTEXT_KEY } from '../../shared/item-error';
import { isRecord } from '../../shared/json';
import { readApiError } from '../helpers/completion';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * Every call of SkyBot AI goes through here, with n8n's own OpenAI credential. Its Base URL field (`url`) points
 * the node at a proxy or any OpenAI-compatible server.
 */
export async function openAiRequest(
	this: IExecuteFunctions,
	path: string,
	body: IDataObject,
	itemIndex: number,
): Promise<unknown> {
	const credentials = await this.getCredentials<{ url?: string }>('openAiApi', itemIndex);
	const baseUrl = (credentials.url || DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, '');
	const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'openAiApi', {
		method: 'POST',
		url: `${baseUrl}${path}`,
		body,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as IN8nHttpFullResponse;

	if (response.statusCode >= 200 && response.statusCode < 300) return response.body;

	const apiError = readApiError(response.body);
	const error = new NodeApiError(this.getNode(), (isRecord(response.body) ? response.body : {}) as JsonObject, {
		message: `AI API error ${response.statusCode}: ${apiError.message ?? 'no error message'}`,
		description: apiError.code ? `Error code ${apiError.code}` : undefined,
		httpCode: String(response.statusCode),
		itemIndex,
	});
	if (apiError.code) error.context[ERROR_CODE_CONTEXT_KEY] = apiError.code;
	throw error;
}
