import { createHmac } from 'node:crypto';

import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { EXECUTION_SIGNATURE_HEADER } from '../../../contracts/hub-api';
import { asString, isRecord } from '../../shared/json';
import { type ApiErrorDetails, authenticatedRequest, type RequestContext } from '../../shared/transport';

const CREDENTIAL_TYPE = 'skyBotHubApi';

interface HubCredentials {
	baseUrl: string;
	webhookSecret?: string;
}

/** A refusal as the hub answered it: `{error: {code, message}}`, its status and its Retry-After, if any. */
export interface HubRefusal {
	httpStatus: number;
	code?: string;
	message: string;
	/** Retry-After as the hub sent it (seconds, or an HTTP date). */
	retryAfter?: string;
}

export interface HubRequestOptions {
	/** A clearer node error message for some statuses (the hub's own message moves to the description). */
	messageByStatus?: Record<number, string>;
	/** The same for some of the hub's error codes; a code's message wins over its status's. */
	messageByCode?: Record<string, string>;
	/** The same, worded from the refusal itself (its code, its Retry-After); wins over both maps when it answers. */
	clearerMessage?: (refusal: HubRefusal) => string | undefined;
}

/**
 * Every call of a SkyBot node to the hub goes through here, authenticated by the skyBotHubApi credential (from an
 * action node, or a polling trigger in hub mode).
 */
export async function hubApiRequest(
	this: RequestContext,
	method: IHttpRequestMethods,
	path: string,
	itemIndex: number,
	body?: IDataObject,
	options: HubRequestOptions = {},
): Promise<unknown> {
	const credentials = await this.getCredentials<HubCredentials>(CREDENTIAL_TYPE, itemIndex);
	return await authenticatedRequest.call(this, {
		credentialType: CREDENTIAL_TYPE,
		http: { method, url: `${hubBaseUrl(credentials)}${path}`, body },
		itemIndex,
		describeError: (errorBody, httpStatus, headers) => {
			const code = isRecord(errorBody) && isRecord(errorBody.error) ? asString(errorBody.error.code) : undefined;
			const byCode =
				code !== undefined && options.messageByCode && Object.hasOwn(options.messageByCode, code)
					? options.messageByCode[code]
					: undefined;
			const clearer = options.clearerMessage?.(hubRefusal(errorBody, httpStatus, headers));
			return describeHubError(errorBody, httpStatus, clearer ?? byCode ?? options.messageByStatus?.[httpStatus]);
		},
	});
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
	const credentials = await this.getCredentials<HubCredentials>(CREDENTIAL_TYPE, itemIndex);
	const secret = String(credentials.webhookSecret ?? '');
	if (!secret) {
		throw new NodeOperationError(this.getNode(), 'The SkyBot Hub API credential has no Webhook Secret', {
			description: 'Set it to the hub\'s SKYBOT_WEBHOOK_SECRET to send execution reports',
			itemIndex,
		});
	}
	const payload = JSON.stringify(body);
	const timestamp = Math.floor(Date.now() / 1000);
	const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
	return await authenticatedRequest.call(this, {
		credentialType: CREDENTIAL_TYPE,
		http: {
			method: 'POST',
			url: `${hubBaseUrl(credentials)}${path}`,
			// A string body is sent as these exact bytes, which is what the signature covers.
			body: payload,
			headers: {
				'Content-Type': 'application/json',
				[EXECUTION_SIGNATURE_HEADER]: `t=${timestamp},v1=${signature}`,
			},
		},
		itemIndex,
		describeError: (errorBody, httpStatus) => describeHubError(errorBody, httpStatus),
	});
}

function hubBaseUrl(credentials: HubCredentials): string {
	return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
}

function hubRefusal(body: unknown, httpStatus: number, headers: IDataObject): HubRefusal {
	const hubError = isRecord(body) && isRecord(body.error) ? body.error : undefined;
	const refusal: HubRefusal = {
		httpStatus,
		message: asString(hubError?.message) ?? `SkyBot Hub answered HTTP ${httpStatus}`,
	};
	const code = asString(hubError?.code);
	if (code) refusal.code = code;
	const retryAfter = asString(headers['retry-after']);
	if (retryAfter) refusal.retryAfter = retryAfter;
	return refusal;
}

/** The hub answers errors as {error:{code,message}}: the node error carries that message and code as-is. */
function describeHubError(body: unknown, httpStatus: number, clearerMessage?: string): ApiErrorDetails {
	const hubError = isRecord(body) && isRecord(body.error) ? body.error : undefined;
	const code = asString(hubError?.code);
	const hubMessage = asString(hubError?.message) ?? `SkyBot Hub answered HTTP ${httpStatus}`;
	const status = code ? `SkyBot Hub error ${code} (HTTP ${httpStatus})` : `HTTP ${httpStatus}`;
	return {
		message: clearerMessage ?? hubMessage,
		description: clearerMessage ? `${hubMessage}: ${status}` : status,
		code,
	};
}
