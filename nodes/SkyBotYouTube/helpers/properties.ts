import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { YOUTUBE_API_BASE_URL } from './youtube';

/** The two ways the YouTube nodes reach YouTube, as the `authentication` parameter names them. */
export type YouTubeAuthentication = 'oAuth2' | 'hub';

/** n8n's own YouTube credential (n8n-nodes-base), reused rather than cloned. */
export const YOUTUBE_CREDENTIAL_TYPE = 'youTubeOAuth2Api';
export const HUB_CREDENTIAL_TYPE = 'skyBotHubApi';

/** Both nodes' credentials, each shown under its authentication mode. */
export const youTubeCredentials: INodeCredentialDescription[] = [
	{ name: YOUTUBE_CREDENTIAL_TYPE, required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
	{ name: HUB_CREDENTIAL_TYPE, required: true, displayOptions: { show: { authentication: ['hub'] } } },
];

export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{
			name: 'YouTube OAuth2 (N8n Credential)',
			value: 'oAuth2',
			description: "Call YouTube directly with n8n's own YouTube OAuth2 credential",
		},
		{
			name: 'Hub-Held Token',
			value: 'hub',
			description:
				'The SkyBot Hub makes the call with the token of the tenant that connected the channel; n8n never sees a token',
		},
	],
	default: 'oAuth2',
};

/** The hub's `accountId` (contracts/social-accounts.ts OnBehalfOf): needed with a platform API key only. */
export const hubAccountIdProperty: INodeProperties = {
	displayName: 'Hub Account ID',
	name: 'hubAccountId',
	type: 'string',
	default: '',
	displayOptions: { show: { authentication: ['hub'] } },
	description: 'The hub account the channel belongs to. Required with a platform API key, ignored with an account key.',
};

/** For the direct mode: where YouTube is (a proxy, or a compatible test server), never needed otherwise. */
export const apiBaseUrlOption: INodeProperties = {
	displayName: 'API Base URL',
	name: 'apiBaseUrl',
	type: 'string',
	default: YOUTUBE_API_BASE_URL,
	displayOptions: { show: { '/authentication': ['oAuth2'] } },
	description:
		'Root of the YouTube Data API, without /youtube/v3. Change it only to go through a proxy; the OAuth2 token is sent there.',
};
