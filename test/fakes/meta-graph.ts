/**
 * Fake Meta Graph API (the subset SkyBot calls):
 *   POST /{version}/{id}/messages  Messenger / Instagram Send API and WhatsApp Cloud API text messages
 *   GET  /{version}/me             who the access token belongs to (credential test)
 * The token is read from `Authorization: Bearer` or the `access_token` query parameter, as Graph does.
 * Malformed calls are refused with Graph's error body `{error: {message, type, code, error_subcode, fbtrace_id}}`.
 *
 * Point a client at `fake.url` as the Graph base URL (https://graph.facebook.com in production).
 */
import { randomBytes } from 'node:crypto';

import {
	bearerToken,
	FailureQueue,
	FakeHttpError,
	type FakeReply,
	type FakeServer,
	isPlainObject,
	mediaType,
	type RecordedRequest,
	startFakeServer,
} from './http-fake.ts';
import type { FakeMetaLogin } from './meta-login.ts';

export const FAKE_META_ACCESS_TOKEN = 'EAAskybotFakeAccessToken';

/**
 * Which Send API accepted the message. Instagram messaging goes through the Messenger Platform's Send API with
 * the same body, so Messenger and Instagram both record `messenger`; tell them apart by `accountId`.
 */
export type SendApi = 'messenger' | 'whatsapp';

export interface SentMessage {
	api: SendApi;
	/** Graph version from the path, e.g. `v21.0`. */
	version: string;
	/** Page id, Instagram account id or WhatsApp phone_number_id, from the path. */
	accountId: string;
	/** PSID / IGSID / WhatsApp number; for an Instagram private reply, the comment id. */
	recipient: string;
	/** True when the message answers a comment privately (`recipient.comment_id`). */
	privateReply: boolean;
	text: string;
	messagingType?: string;
	/** The id the fake returned (`m_…` or `wamid.…`). */
	messageId: string;
}

export interface GraphFailure {
	status: number;
	message?: string;
	type?: string;
	code?: number;
	errorSubcode?: number;
	isTransient?: boolean;
}

export interface FakeMetaGraph extends FakeServer {
	accessToken: string;
	/** Every message the fake accepted (answered 200), in order. */
	sent: SentMessage[];
	/** The next `count` accepted-looking sends fail with this status and Graph error (default 500, code 2). */
	failNextSends(count: number, failure?: Partial<GraphFailure>): void;
}

export interface FakeMetaGraphOptions {
	accessToken?: string;
	/** What GET /me answers for the token. */
	me?: { id: string; name: string };
	/** Called with each message as the fake accepts it (bench/pipeline times replies from it). */
	onSent?: (message: SentMessage) => void;
	/**
	 * Facebook Login's endpoints (meta-login.ts) on the same server; the page tokens it hands out are then accepted
	 * by the Send API for their page (and its Instagram account), besides `accessToken`.
	 */
	login?: FakeMetaLogin;
}

const VERSION = /^v\d+\.\d+$/;
const GRAPH_ID = /^\d+$/;
const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'];
const MESSENGER_TEXT_LIMIT = 2000;
const WHATSAPP_TEXT_LIMIT = 4096;

function fbtraceId(): string {
	return randomBytes(8).toString('base64url');
}

export function graphError(status: number, failure: Omit<GraphFailure, 'status'> & { message: string }): FakeHttpError {
	return new FakeHttpError(status, {
		error: {
			message: failure.message,
			type: failure.type ?? 'OAuthException',
			code: failure.code ?? 100,
			...(failure.errorSubcode === undefined ? {} : { error_subcode: failure.errorSubcode }),
			...(failure.isTransient === undefined ? {} : { is_transient: failure.isTransient }),
			fbtrace_id: fbtraceId(),
		},
	});
}

function invalidParameter(message: string): FakeHttpError {
	return graphError(400, { message: `(#100) ${message}`, code: 100 });
}

function authenticate(request: RecordedRequest, accessToken: string, pageToken?: string): void {
	const token = bearerToken(request) ?? request.query.access_token;
	if (!token) {
		throw graphError(400, {
			message: 'An active access token must be used to query information about the current user.',
			code: 2500,
		});
	}
	if (token !== accessToken && (pageToken === undefined || token !== pageToken)) {
		throw graphError(401, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
	}
}

function requireJsonObject(request: RecordedRequest): Record<string, unknown> {
	if (mediaType(request) !== 'application/json') {
		throw invalidParameter(`Unsupported Content-Type '${mediaType(request) || '(none)'}': send application/json`);
	}
	if (!isPlainObject(request.json)) throw invalidParameter('The request body is not a valid JSON object');
	return request.json;
}

function nonEmptyText(value: unknown, param: string, limit: number): string {
	if (typeof value !== 'string' || value.trim() === '') throw invalidParameter(`The parameter ${param} is required`);
	if (value.length > limit) throw invalidParameter(`Length of param ${param} must be less than or equal to ${limit}`);
	return value;
}

function parseMessengerSend(body: Record<string, unknown>): Pick<SentMessage, 'recipient' | 'privateReply' | 'text' | 'messagingType'> {
	const recipient = body.recipient;
	if (!isPlainObject(recipient)) throw invalidParameter('The parameter recipient is required');
	const recipientId = recipient.id ?? recipient.comment_id;
	if (typeof recipientId !== 'string' || recipientId === '') {
		throw invalidParameter('param recipient must be an object with a non-empty id (or comment_id)');
	}
	const message = body.message;
	if (!isPlainObject(message)) throw invalidParameter('The parameter message is required');
	const text = nonEmptyText(message.text, 'message[text]', MESSENGER_TEXT_LIMIT);
	const messagingType = body.messaging_type;
	if (messagingType !== undefined) {
		if (typeof messagingType !== 'string' || !MESSAGING_TYPES.includes(messagingType)) {
			throw invalidParameter(`Param messaging_type must be one of {${MESSAGING_TYPES.join(', ')}}`);
		}
		if (messagingType === 'MESSAGE_TAG' && typeof body.tag !== 'string') {
			throw invalidParameter('Param tag is required when messaging_type is MESSAGE_TAG');
		}
	}
	return { recipient: recipientId, privateReply: recipient.id === undefined, text, messagingType: messagingType as string | undefined };
}

function parseWhatsAppSend(body: Record<string, unknown>): Pick<SentMessage, 'recipient' | 'privateReply' | 'text'> {
	if (body.messaging_product !== 'whatsapp') throw invalidParameter('The parameter messaging_product is required and must be whatsapp');
	if (typeof body.to !== 'string' || !/^\+?\d{6,15}$/.test(body.to)) {
		throw invalidParameter('The parameter to is required and must be a phone number (digits, optional leading +)');
	}
	if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
		throw invalidParameter('Param recipient_type must be individual');
	}
	const type = body.type ?? 'text';
	if (type !== 'text') throw invalidParameter(`The fake only accepts type text, got ${JSON.stringify(type)}`);
	const text = body.text;
	if (!isPlainObject(text)) throw invalidParameter('The parameter text is required');
	return { recipient: body.to, privateReply: false, text: nonEmptyText(text.body, 'text[body]', WHATSAPP_TEXT_LIMIT) };
}

export async function startFakeMetaGraph(options: FakeMetaGraphOptions = {}): Promise<FakeMetaGraph> {
	const accessToken = options.accessToken ?? FAKE_META_ACCESS_TOKEN;
	const me = options.me ?? { id: '100000000000001', name: 'SkyBot Test Page' };
	const failures = new FailureQueue<Partial<GraphFailure>>();
	const sent: SentMessage[] = [];

	const sendMessage = (request: RecordedRequest, version: string, accountId: string): FakeReply => {
		authenticate(request, accessToken, options.login?.pageTokenOf(accountId));
		if (!GRAPH_ID.test(accountId)) {
			throw graphError(400, {
				message: `Unsupported post request. Object with ID '${accountId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
				type: 'GraphMethodException',
				code: 100,
				errorSubcode: 33,
			});
		}
		const body = requireJsonObject(request);
		const api: SendApi = 'messaging_product' in body ? 'whatsapp' : 'messenger';
		const parsed = api === 'whatsapp' ? parseWhatsAppSend(body) : parseMessengerSend(body);
		const failure = failures.take();
		if (failure) {
			throw graphError(failure.status ?? 500, {
				message: failure.message ?? 'An unexpected error has occurred. Please retry your request later.',
				type: failure.type,
				code: failure.code ?? 2,
				errorSubcode: failure.errorSubcode,
				isTransient: failure.isTransient ?? true,
			});
		}
		const messageId =
			api === 'whatsapp'
				? `wamid.${randomBytes(24).toString('base64url')}`
				: `m_${randomBytes(24).toString('base64url')}`;
		const accepted: SentMessage = { api, version, accountId, messageId, ...parsed };
		sent.push(accepted);
		options.onSent?.(accepted);
		if (api === 'whatsapp') {
			return {
				status: 200,
				body: {
					messaging_product: 'whatsapp',
					contacts: [{ input: parsed.recipient, wa_id: parsed.recipient.replace(/^\+/, '') }],
					messages: [{ id: messageId }],
				},
			};
		}
		return { status: 200, body: { recipient_id: parsed.recipient, message_id: messageId } };
	};

	const server = await startFakeServer((request) => {
		const [version, objectId, edge, ...rest] = request.path.split('/').slice(1);
		if (version === undefined || !VERSION.test(version)) {
			throw graphError(400, { message: `Unknown path components: ${request.path}`, code: 2500 });
		}
		const login = options.login?.handle(request, [objectId, edge, ...rest].filter((part) => part !== undefined));
		if (login) return login;
		if (objectId === 'me' && edge === undefined) {
			if (request.method !== 'GET') throw invalidParameter(`Unsupported ${request.method.toLowerCase()} request.`);
			authenticate(request, accessToken);
			return { status: 200, body: me };
		}
		if (objectId !== undefined && edge === 'messages' && rest.length === 0) {
			if (request.method !== 'POST') {
				throw graphError(400, {
					message: `Unsupported ${request.method.toLowerCase()} request. Object with ID '${objectId}' does not support this operation.`,
					type: 'GraphMethodException',
					code: 100,
					errorSubcode: 33,
				});
			}
			return sendMessage(request, version, objectId);
		}
		throw graphError(400, { message: `Unknown path components: ${request.path}`, code: 2500 });
	});

	return {
		...server,
		accessToken,
		sent,
		failNextSends: (count, failure = {}) => failures.push(count, failure),
	};
}
