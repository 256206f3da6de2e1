import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { MetaSendDmRequest } from '../../../contracts/social-accounts';
import { hubApiRequest } from '../../SkyBot/transport';
import { asString, isRecord } from '../../shared/json';
import { authenticatedRequest } from '../../shared/transport';
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
	return await authenticatedRequest.call(this, {
		credentialType: 'skyBotMetaAppApi',
		http: { method: 'POST', url: `${baseUrl}/${version}${path}`, body },
		itemIndex,
		describeError: formatGraphError,
	});
}

/**
 * What to do about the refusals a person must act on. Meta's own refusals (provider_error, provider_rate_limited)
 * keep the hub's message, which carries Meta's: that is what the failed item should say.
 */
const HUB_SEND_MESSAGES: Record<string, string> = {
	social_account_not_found: 'The hub holds no token for this page: connect it through the hub (GET /api/social-accounts/meta/auth-url)',
	reauth_required: "The page's connection no longer works: reconnect it in the hub",
};

/** The hub sends with the page's own token (POST /api/social-accounts/meta/send-dm); answers Meta's message id. */
export async function hubSend(this: IExecuteFunctions, request: MetaSendDmRequest, itemIndex: number): Promise<string | undefined> {
	const answer = await hubApiRequest.call(this, 'POST', '/api/social-accounts/meta/send-dm', itemIndex, request as unknown as IDataObject, {
		messageByCode: HUB_SEND_MESSAGES,
	});
	return isRecord(answer) ? asString(answer.messageId) : undefined;
}
