import { createHmac } from 'node:crypto';

import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IN8nHttpFullResponse,
	INode,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { EXECUTION_SIGNATURE_HEADER } from '../../../contracts/hub-api';
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

/**
 * POSTs a report to one of the hub's signed webhooks (/api/webhooks/n8n/...). The body is serialised once and those
 * exact bytes are signed: `X-SkyBot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the
 * credential's Webhook Secret, the hub's SKYBOT_WEBHOOK_SECRET. The credential's X-API-Key goes along as on every call.
 */
export async function signedHubWebhookRequest(
	this: IExecuteFunctions,
	path: string,
	itemIndex: number,
	body: IDataObject,
): Promise<unknown> {
	const credentials = await this.getCredentials<{ baseUrl: string; webhookSecret?: string }>('skyBotHubApi', itemIndex);
	const secret = String(credentials.webhookSecret ?? '');
	if (!secret) {
		throw new NodeOperationError(this.getNode(), 'The SkyBot Hub API credential has no Webhook Secret', {
			description: 'Set it to the hub\'s SKYBOT_WEBHOOK_SECRET to send execution reports',
			itemIndex,
		});
	}
	const baseUrl = String(credentials.baseUrl ?? '').replace(/\/+$/, '');
	const payload = JSON.stringify(body);
	const timestamp = Math.floor(Date.now() / 1000);
	const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
	const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'skyBotHubApi', {
		method: 'POST',
		url: `${baseUrl}${path}`,
		// A string body is sent as these exact bytes, which is what the signature covers.
		body: payload,
		headers: {
			'Content-Type': 'application/json',
			[EXECUTION_SIGNATURE_HEADER]: `t=${timestamp},v1=${signature}`,
		},
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as IN8nHttpFullResponse;

	if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
	throw hubApiError(this.getNode(), response.statusCode, response.body, itemIndex);
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
