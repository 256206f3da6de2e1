import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IN8nHttpFullResponse,
	INode,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ERROR_CODE_CONTEXT_KEY } from '../../shared/item-error';
import { asString, isRecord } from '../../shared/json';

export interface HubRequestOptions {
	/** A clearer node error message for some statuses (the hub's own message moves to the description). */
	messageByStatus?: Record<number, string>;
}

/** Every call of the SkyBot node to the hub goes through here, authenticated by the skyBotHubApi credential. */
export async function hubApiRequest(
	this: IExecuteFunctions,
	method: IHttpRequestMethods,
	path: string,
	itemIndex: number,
	body?: IDataObject,
	options: HubRequestOptions = {},
): Promise<unknown> {
	const credentials = await this.getCredentials<{ baseUrl: string }>('skyBotHubApi', itemIndex);
	const baseUrl = String(credentials.baseUrl ?? '').replace(/\/+$/, '');
	const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'skyBotHubApi', {
		method,
		url: `${baseUrl}${path}`,
		body,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as IN8nHttpFullResponse;

	if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
	throw hubApiError(
		this.getNode(),
		response.statusCode,
		response.body,
		itemIndex,
		options.messageByStatus?.[response.statusCode],
	);
}

/** The hub answers errors as {error:{code,message}}: the node error carries that message and code as-is. */
export function hubApiError(
	node: INode,
	httpStatus: number,
	body: unknown,
	itemIndex: number,
	clearerMessage?: string,
): NodeApiError {
	const hubError = isRecord(body) && isRecord(body.error) ? body.error : undefined;
	const code = asString(hubError?.code);
	const hubMessage = asString(hubError?.message) ?? `SkyBot Hub answered HTTP ${httpStatus}`;
	const status = code ? `SkyBot Hub error ${code} (HTTP ${httpStatus})` : `HTTP ${httpStatus}`;
	const error = new NodeApiError(node, (isRecord(body) ? body : {}) as JsonObject, {
		message: clearerMessage ?? hubMessage,
		description: clearerMessage ? `${hubMessage}: ${status}` : status,
		httpCode: String(httpStatus),
		itemIndex,
	});
	if (code) error.context[ERROR_CODE_CONTEXT_KEY] = code;
	return error;
}
