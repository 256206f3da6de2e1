import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/** A SkyBot Hub API key (platform or account scope), sent as X-API-Key to the hub's machine routes. */
export class SkyBotHubApi implements ICredentialType {
	name = 'skyBotHubApi';

	displayName = 'SkyBot Hub API';

	icon = 'file:icons/skybot.svg' as const;

	documentationUrl = 'https://github.com/skybot-hub/skybot-hub#readme';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:3000',
			placeholder: 'https://hub.example.com',
			description: 'Root URL of the SkyBot Hub API, without the /api suffix',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'A hub API key. The shared inbound pipeline needs a platform key.',
			required: true,
		},
		{
			displayName: 'Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"The hub's SKYBOT_WEBHOOK_SECRET. Signs execution reports (SkyBot › Report Execution); not needed otherwise.",
		},
	];

	// A function rather than a `generic` template: n8n resolves `={{$credentials.…}}` templates in its expression
	// sandbox on every request, which under N8N_EXPRESSION_ENGINE=vm costs a V8 isolate per execution.
	authenticate = async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) => ({
		...requestOptions,
		headers: { ...requestOptions.headers, 'X-API-Key': String(credentials.apiKey ?? '') },
	});

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/auth/me',
		},
	};
}
