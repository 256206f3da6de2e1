import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IDataObject,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { filterEvents } from '../shared/inbound';
import { webhookPathFromParameter } from '../shared/webhook-path';
import { normalizeTikTokDelivery, parseTikTokJson, TIKTOK_DEFAULT_EVENTS } from './normalize';
import { TIKTOK_SIGNATURE_HEADER, verifyTikTokSignature } from './signature';

interface TikTokAppCredentials {
	clientKey?: string;
	appSecret?: string;
}

// TikTok webhooks are set once per app (developer portal, or business/webhook/update/ with the app's credentials):
// there is nothing per workflow to create, check or delete at TikTok, so this trigger has no webhookMethods lifecycle.
// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete
export class SkyBotTikTokTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SkyBot TikTok Trigger',
		name: 'skyBotTikTokTrigger',
		icon: { light: 'file:tiktok.svg', dark: 'file:tiktok.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "/webhook/" + $parameter["path"] }}',
		description:
			'Receive TikTok API for Business webhooks: verifies the TikTok-Signature, emits one SkyBot inbound message per new comment or DM',
		defaults: { name: 'SkyBot TikTok Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'skyBotTikTokAppApi', required: true, testedBy: 'skyBotTikTokAppApiTest' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				...webhookPathFromParameter,
				isFullPath: true,
			},
		],
		properties: [
			{
				displayName:
					'Use <code>/webhook/&lt;path&gt;</code> of this n8n as the webhook callback URL of the TikTok for Business app (comment and direct message events). Deliveries without a valid TikTok-Signature, or signed more than 5 minutes ago, are refused with 401 and start nothing.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Path',
				name: 'path',
				type: 'string',
				default: 'skybot-tiktok',
				required: true,
				description: 'The webhook answers POST at /webhook/&lt;path&gt;',
			},
			{
				displayName: 'Events to Emit',
				name: 'events',
				type: 'multiOptions',
				options: [
					{
						name: 'Comments',
						value: 'comment',
						description: 'New comments on the business account’s videos (comment.update, action insert)',
					},
					{
						name: 'Direct Messages',
						value: 'dm',
						description: 'Messages a user sent to the business account (im_receive_msg)',
					},
					{
						name: 'Echoes',
						value: 'echo',
						description: 'What the account itself sent or commented, replies from this pipeline included (isEcho true)',
					},
				],
				default: [...TIKTOK_DEFAULT_EVENTS],
				description: 'Echoes are off by default: they are the pipeline’s own replies coming back',
			},
		],
	};

	methods = {
		credentialTest: {
			// Nothing at TikTok can tell whether an app secret is right without a signed delivery; check its shape.
			async skyBotTikTokAppApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const data = (credential.data ?? {}) as TikTokAppCredentials;
				if (!String(data.appSecret ?? '').trim()) return { status: 'Error', message: 'The app secret is empty' };
				const clientKey = String(data.clientKey ?? '').trim();
				if (clientKey !== '' && !/^\d+$/.test(clientKey)) {
					return { status: 'Error', message: 'The client key is the app ID: digits only' };
				}
				return { status: 'OK', message: 'The app secret is set; deliveries signed with it will be accepted' };
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await this.getCredentials<TikTokAppCredentials>('skyBotTikTokAppApi');
		const res = this.getResponseObject();

		// The signature covers the exact bytes TikTok sent; n8n keeps them on the request as rawBody.
		const req = this.getRequestObject();
		if (!Buffer.isBuffer(req.rawBody) && typeof req.readRawBody === 'function') await req.readRawBody();
		const rawBody = Buffer.isBuffer(req.rawBody) ? req.rawBody : undefined;
		const check = rawBody
			? verifyTikTokSignature(rawBody, req.headers[TIKTOK_SIGNATURE_HEADER], String(credentials.appSecret ?? ''))
			: ({ valid: false, reason: 'raw_body_unavailable' } as const);
		if (!check.valid) {
			this.logger.warn(`SkyBot TikTok Trigger: refused a delivery (${check.reason})`);
			res.status(401).type('text/plain').send('Invalid signature');
			return { noWebhookResponse: true };
		}

		let payload: unknown;
		try {
			payload = parseTikTokJson(rawBody!.toString('utf8'));
		} catch (error) {
			this.logger.warn(`SkyBot TikTok Trigger: signed delivery is not JSON (${(error as Error).message})`);
			res.status(400).type('text/plain').send('Invalid JSON');
			return { noWebhookResponse: true };
		}

		// TikTok expects a fast 200 and redelivers otherwise; the event runs in the workflow after this answer.
		res.status(200).type('text/plain').send('OK');

		const { message, ignored, clientKey } = normalizeTikTokDelivery(payload);
		const expectedClientKey = String(credentials.clientKey ?? '').trim();
		if (expectedClientKey !== '' && clientKey !== expectedClientKey) {
			this.logger.warn('SkyBot TikTok Trigger: a delivery for another client_key was not emitted');
			return { noWebhookResponse: true };
		}
		if (!message) {
			this.logger.debug(`SkyBot TikTok Trigger: not emitted (${ignored ?? 'nothing to emit'})`);
			return { noWebhookResponse: true };
		}
		const events = this.getNodeParameter('events', [...TIKTOK_DEFAULT_EVENTS]) as string[];
		const emitted = filterEvents([message], events);
		if (emitted.length === 0) return { noWebhookResponse: true };
		return {
			noWebhookResponse: true,
			workflowData: [this.helpers.returnJsonArray(emitted as unknown as IDataObject[])],
		};
	}
}
