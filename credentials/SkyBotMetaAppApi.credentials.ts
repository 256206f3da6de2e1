import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/**
 * One Meta app: the app secret signs webhook deliveries, the verify token answers the subscription handshake and
 * the access token (page / Instagram / WhatsApp system-user token) sends replies through the Graph API.
 */
export class SkyBotMetaAppApi implements ICredentialType {
	name = 'skyBotMetaAppApi';

	displayName = 'Meta App API';

	icon = 'file:icons/meta.svg' as const;

	documentationUrl = 'https://developers.facebook.com/docs/graph-api/webhooks/getting-started';

	properties: INodeProperties[] = [
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'App secret from the Meta app dashboard (App settings > Basic). Verifies the X-Hub-Signature-256 header of every webhook delivery.',
			required: true,
		},
		{
			displayName: 'Verify Token',
			name: 'verifyToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The token typed in the webhook subscription form of the Meta app; Meta sends it back in the GET handshake',
			required: true,
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Page, Instagram or WhatsApp system-user access token used to send messages',
		},
		{
			displayName: 'Graph API Base URL',
			name: 'graphBaseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			description: 'Change only to go through a proxy or a compatible test server',
		},
		{
			displayName: 'Graph API Version',
			name: 'graphVersion',
			type: 'string',
			default: 'v23.0',
		},
	];

	// A function rather than a `generic` template: n8n resolves `={{$credentials.…}}` templates in its expression
	// sandbox on every request, which under N8N_EXPRESSION_ENGINE=vm costs a V8 isolate per execution.
	authenticate = async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) => ({
		...requestOptions,
		headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.accessToken ?? '')}` },
	});

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.graphBaseUrl.replace(/\\/+$/, "")}}/{{$credentials.graphVersion}}',
			url: '/me',
		},
	};
}
