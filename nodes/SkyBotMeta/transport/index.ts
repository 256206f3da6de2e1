import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

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
