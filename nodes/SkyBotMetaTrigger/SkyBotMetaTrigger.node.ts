import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { webhookPathFromParameter } from '../shared/webhook-path';
import { EMITTABLE_EVENTS, filterEvents, normalizeMetaDelivery } from './normalize';
import { answerHandshake, SIGNATURE_HEADER, verifyMetaSignature } from './signature';

interface MetaAppCredentials {
	appSecret?: string;
	verifyToken?: string;
}

// Meta webhooks are subscribed once per app in the Meta app dashboard (or the app's /subscriptions edge, which needs
// an app token), and Meta checks the callback URL through the GET handshake this node answers: there is nothing per
// workflow to create, check or delete on Meta's side, so this trigger has no webhookMethods lifecycle.
// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete
export class SkyBotMetaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SkyBot Meta Trigger',
		name: 'skyBotMetaTrigger',
		icon: { light: 'file:meta.svg', dark: 'file:meta.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "/webhook/" + $parameter["path"] }}',
		description:
			'Receive Messenger, Instagram and WhatsApp webhooks from a Meta app: verifies the signature, answers the subscription handshake and emits one SkyBot inbound message per event',
		defaults: { name: 'SkyBot Meta Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'skyBotMetaAppApi', required: true }],
		webhooks: [
			{
				name: 'setup',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				...webhookPathFromParameter,
				isFullPath: true,
			},
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
					'Use <code>/webhook/&lt;path&gt;</code> of this n8n as the callback URL of the Meta app (Messenger, Instagram and WhatsApp products). Deliveries without a valid X-Hub-Signature-256 are refused with 401 and start nothing.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Path',
				name: 'path',
				type: 'string',
				default: 'skybot-meta',
				required: true,
				description: 'The webhook answers GET (handshake) and POST (events) at /webhook/&lt;path&gt;',
			},
			{
				displayName: 'Events to Emit',
				name: 'events',
				type: 'multiOptions',
				options: [
					{
						name: 'Comments',
						value: 'comment',
						description: 'New comments on the Facebook Page posts and the Instagram account media',
					},
					{
						name: 'Delivery and Status Updates',
						value: 'status',
						description: 'Messenger deliveries, WhatsApp sent / delivered / read / failed statuses',
					},
					{
						name: 'Direct Messages',
						value: 'dm',
						description: 'Messages the customer sent, Instagram story replies and mentions included',
					},
					{
						name: 'Echoes',
						value: 'echo',
						description: 'Messages the account itself sent (kind dm or comment, isEcho true)',
					},
					{
						name: 'Postbacks',
						value: 'postback',
						description: 'Button, Get Started, menu and icebreaker taps, WhatsApp button and list replies (with their payload)',
					},
					{
						name: 'Read Receipts',
						value: 'read',
						description: 'The customer read the conversation',
					},
				],
				default: [...EMITTABLE_EVENTS],
				description:
					'Everything is emitted by default; the shared pipeline emits DMs, comments and postbacks only, so receipts and echoes start no execution',
			},
		],
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await this.getCredentials<MetaAppCredentials>('skyBotMetaAppApi');
		const res = this.getResponseObject();

		if (this.getWebhookName() === 'setup') {
			const answer = answerHandshake(this.getQueryData() as IDataObject, String(credentials.verifyToken ?? ''));
			if (answer.status === 200) {
				res.status(200).type('text/plain').send(answer.challenge);
			} else {
				this.logger.warn('SkyBot Meta Trigger: refused a subscription handshake (wrong mode or verify token)');
				res.status(403).type('text/plain').send('Forbidden');
			}
			return { noWebhookResponse: true };
		}

		// The signature covers the exact bytes Meta sent; n8n keeps them on the request as rawBody.
		const req = this.getRequestObject();
		if (!Buffer.isBuffer(req.rawBody) && typeof req.readRawBody === 'function') await req.readRawBody();
		const rawBody = Buffer.isBuffer(req.rawBody) ? req.rawBody : undefined;
		const check = rawBody
			? verifyMetaSignature(rawBody, req.headers[SIGNATURE_HEADER], String(credentials.appSecret ?? ''))
			: ({ valid: false, reason: 'raw_body_unavailable' } as const);
		if (!check.valid) {
			this.logger.warn(`SkyBot Meta Trigger: refused a delivery (${check.reason})`);
			res.status(401).type('text/plain').send('Invalid signature');
			return { noWebhookResponse: true };
		}

		let payload: unknown;
		try {
			payload = JSON.parse(rawBody!.toString('utf8'));
		} catch (error) {
			this.logger.warn(`SkyBot Meta Trigger: signed delivery is not JSON (${(error as Error).message})`);
			res.status(400).type('text/plain').send('Invalid JSON');
			return { noWebhookResponse: true };
		}

		const { messages, ignored } = normalizeMetaDelivery(payload);
		const events = this.getNodeParameter('events', [...EMITTABLE_EVENTS]) as string[];
		const emitted = filterEvents(messages, events);
		if (ignored > 0) {
			this.logger.debug(`SkyBot Meta Trigger: ${ignored} unsupported event(s) in the delivery were not emitted`);
		}

		// Meta expects a fast 200 and redelivers otherwise; the events run in the workflow after this answer.
		res.status(200).type('text/plain').send('EVENT_RECEIVED');
		if (emitted.length === 0) return { noWebhookResponse: true };
		return {
			noWebhookResponse: true,
			workflowData: [this.helpers.returnJsonArray(emitted as unknown as IDataObject[])],
		};
	}
}
