import type { IDataObject, IExecuteFunctions, IN8nHttpFullResponse, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ERROR_CODE_CONTEXT_KEY } from '../../shared/item-error';
import { isRecord } from '../../shared/json';
import { formatGraphError } from '../helpers/graph';

interface MetaAppCredentials {
	graphBaseUrl?: string;
	graphVersion?: string;
}

/** Every Graph API call of the Meta node goes through here, with the Meta App credential's access token. */
export async function graphApiRequest(
	this: IExecuteFunctions,
	path: string,
	body: IDataObject,
	itemIndex: number,
): Promise<unknown> {
	const credentials = await this.getCredentials<MetaAppCredentials>('skyBotMetaAppApi', itemIndex);
	const baseUrl = (credentials.graphBaseUrl || 'https://graph.facebook.com').replace(/\/+$/, '');
	const version = (credentials.graphVersion || 'v23.0').replace(/^\/+|\/+$/g, '');
	const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'skyBotMetaAppApi', {
		method: 'POST',
		url: `${baseUrl}/${version}${path}`,
		body,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as IN8nHttpFullResponse;

	if (response.statusCode >= 200 && response.statusCode < 300) return response.body;

	const details = formatGraphError(response.body, response.statusCode);
	const error = new NodeApiError(this.getNode(), (isRecord(response.body) ? response.body : {}) as JsonObject, {
		message: details.message,
		description: details.description,
		httpCode: String(response.statusCode),
		itemIndex,
	});
	if (details.code) error.context[ERROR_CODE_CONTEXT_KEY] = details.code;
	throw error;
}
