import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { authenticatedRequest } from '../../shared/transport';
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
	return await authenticatedRequest.call(this, {
		credentialType: 'openAiApi',
		http: { method: 'POST', url: `${baseUrl}${path}`, body },
		itemIndex,
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
