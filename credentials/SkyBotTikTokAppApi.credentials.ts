import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * One TikTok API for Business app: its app secret signs every webhook delivery (`TikTok-Signature`), its client key
 * (the app id) names the app in each delivery's `client_key`. It holds no access token: replies and DMs go through
 * the hub, which keeps each tenant's TikTok tokens (SkyBot TikTok node, SkyBot Hub API credential).
 */
export class SkyBotTikTokAppApi implements ICredentialType {
	name = 'skyBotTikTokAppApi';

	displayName = 'TikTok App API';

	icon = 'file:icons/tiktok.svg' as const;

	documentationUrl = 'https://business-api.tiktok.com/portal/docs';

	properties: INodeProperties[] = [
		{
			displayName: 'Client Key',
			name: 'clientKey',
			type: 'string',
			default: '',
			description:
				'The app ID of the TikTok for Business developer app (My Apps > App detail). Deliveries naming another app in client_key are not emitted; leave empty to accept any.',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The secret of the same app. Verifies the TikTok-Signature header of every webhook delivery.',
			required: true,
		},
	];
}
