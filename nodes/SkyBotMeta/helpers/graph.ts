import { asArray, asNumber, asString, isRecord, type JsonRecord } from '../../shared/json';

/** Providers the Meta node can send to; each is a different Graph API "Send API". */
export const META_PROVIDERS = ['messenger', 'instagram', 'whatsapp'] as const;
export type MetaProvider = (typeof META_PROVIDERS)[number];

export function isMetaProvider(value: unknown): value is MetaProvider {
	return (META_PROVIDERS as readonly unknown[]).includes(value);
}

export interface SendTextInput {
	provider: MetaProvider;
	/** Page id (Messenger), Instagram account id, or WhatsApp phone_number_id. */
	accountExternalId: string;
	/** PSID / IGSID / WhatsApp wa_id. */
	recipientId: string;
	text: string;
	/**
	 * Answer this comment with a private reply (Messenger / Instagram): the Send API then addresses the comment,
	 * since a commenter who never wrote to the account cannot be messaged by id.
	 */
	commentId?: string;
}

export interface GraphRequest {
	/** Path after /{version}. */
	path: string;
	body: JsonRecord;
}

export function buildSendTextRequest(input: SendTextInput): GraphRequest {
	const path = `/${encodeURIComponent(input.accountExternalId)}/messages`;
	if (input.commentId && input.provider !== 'whatsapp') {
		return { path, body: { recipient: { comment_id: input.commentId }, message: { text: input.text } } };
	}
	switch (input.provider) {
		case 'messenger':
			// A reply to a message the customer sent within the 24 h window.
			return {
				path,
				body: { recipient: { id: input.recipientId }, messaging_type: 'RESPONSE', message: { text: input.text } },
			};
		case 'instagram':
			return { path, body: { recipient: { id: input.recipientId }, message: { text: input.text } } };
		case 'whatsapp':
			return {
				path,
				body: {
					messaging_product: 'whatsapp',
					recipient_type: 'individual',
					to: input.recipientId,
					type: 'text',
					text: { body: input.text, preview_url: false },
				},
			};
	}
}

/** Messenger / Instagram answer {recipient_id, message_id}; WhatsApp {messages:[{id}], contacts:[...]}. */
export function readSentMessageId(body: unknown): string | undefined {
	if (!isRecord(body)) return undefined;
	const direct = asString(body.message_id);
	if (direct) return direct;
	const first = asArray(body.messages)[0];
	return isRecord(first) ? asString(first.id) : undefined;
}

export interface GraphErrorDetails {
	message: string;
	description?: string;
	code?: string;
}

/**
 * Graph errors: {error:{message, type, code, error_subcode, fbtrace_id}} → "Meta Graph API error 10: <message>",
 * with type, subcode and trace id in the description (what Meta support asks for).
 */
export function formatGraphError(body: unknown, httpStatus: number): GraphErrorDetails {
	const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
	if (!error) {
		return { message: `Meta Graph API error: HTTP ${httpStatus}` };
	}
	const code = asNumber(error.code);
	const message = asString(error.message) ?? asString(error.error_user_msg) ?? `HTTP ${httpStatus}`;
	const details = [
		asString(error.type) && `type ${asString(error.type)}`,
		asNumber(error.error_subcode) !== undefined && `subcode ${asNumber(error.error_subcode)}`,
		asString(error.fbtrace_id) && `fbtrace_id ${asString(error.fbtrace_id)}`,
		asString(error.error_user_msg) && asString(error.error_user_msg),
	].filter(Boolean);
	const result: GraphErrorDetails = {
		message: code === undefined ? `Meta Graph API error: ${message}` : `Meta Graph API error ${code}: ${message}`,
	};
	if (details.length) result.description = details.join(', ');
	if (code !== undefined) result.code = String(code);
	return result;
}
