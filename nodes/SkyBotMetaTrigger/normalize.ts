import type {
	InboundAttachment,
	InboundContact,
	InboundMessage,
	MessageKind,
	Provider,
} from '../../contracts/inbound-message';
import { asArray, asNumber, asString, isRecord, type JsonRecord } from '../shared/json';

/**
 * Turns one Meta webhook delivery (Messenger, Instagram or WhatsApp Cloud API; Meta batches several entries and
 * events per delivery) into one InboundMessage per event. Events this package does not understand (reactions,
 * referrals, opt-ins, edits, template status updates...) are counted in `ignored`, never guessed at.
 */
export interface NormalizedDelivery {
	messages: InboundMessage[];
	ignored: number;
}

/** What the trigger's "Events to Emit" option filters on: the kinds, plus echoes of the account's own messages. */
export const EMITTABLE_EVENTS = ['dm', 'comment', 'echo', 'postback', 'read', 'status'] as const;
export type EmittableEvent = (typeof EMITTABLE_EVENTS)[number];

export function eventOf(message: InboundMessage): EmittableEvent {
	return message.isEcho ? 'echo' : message.kind;
}

export function filterEvents(messages: InboundMessage[], events: readonly string[]): InboundMessage[] {
	const wanted = new Set(events);
	return messages.filter((message) => wanted.has(eventOf(message)));
}

export function conversationIdOf(provider: Provider, accountExternalId: string, contactExternalId: string): string {
	return `${provider}:${accountExternalId}:${contactExternalId}`;
}

/**
 * Meta mixes units: Messenger/Instagram `messaging[].timestamp` is in milliseconds, WhatsApp timestamps and
 * Instagram `entry.time` for changes are in seconds. No real event predates 2001, when epoch milliseconds passed
 * 10^12, so smaller values are seconds.
 */
export function epochToIso(value: unknown): string | undefined {
	const epoch = asNumber(value);
	if (epoch === undefined || epoch <= 0) return undefined;
	const date = new Date(epoch < 1e12 ? epoch * 1000 : epoch);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function normalizeMetaDelivery(payload: unknown, receivedAt: Date = new Date()): NormalizedDelivery {
	const result: NormalizedDelivery = { messages: [], ignored: 0 };
	if (!isRecord(payload)) return result;

	for (const entry of asArray(payload.entry)) {
		if (!isRecord(entry)) {
			result.ignored++;
			continue;
		}
		switch (payload.object) {
			case 'page':
				collectMessaging('messenger', entry, receivedAt, result);
				break;
			case 'instagram':
				collectMessaging('instagram', entry, receivedAt, result);
				collectInstagramChanges(entry, receivedAt, result);
				break;
			case 'whatsapp_business_account':
				collectWhatsAppChanges(entry, receivedAt, result);
				break;
			default:
				result.ignored++;
		}
	}
	return result;
}

function push(result: NormalizedDelivery, message: InboundMessage | undefined): void {
	if (message) result.messages.push(message);
	else result.ignored++;
}

function build(
	provider: Provider,
	kind: MessageKind,
	messageId: string,
	accountExternalId: string,
	contact: InboundContact,
	timestamp: string,
	extra: Pick<InboundMessage, 'text' | 'attachments' | 'isEcho'> = {},
): InboundMessage {
	const message: InboundMessage = {
		provider,
		kind,
		messageId,
		accountExternalId,
		conversationId: conversationIdOf(provider, accountExternalId, contact.externalId),
		contact,
		timestamp,
	};
	if (extra.text !== undefined && extra.text !== '') message.text = extra.text;
	if (extra.attachments?.length) message.attachments = extra.attachments;
	if (extra.isEcho) message.isEcho = true;
	return message;
}

// ---------------------------------------------------------------------------------------------------------------
// Messenger and Instagram messaging: entry[].messaging[] with sender / recipient / timestamp and one event body.
// ---------------------------------------------------------------------------------------------------------------

function collectMessaging(
	provider: 'messenger' | 'instagram',
	entry: JsonRecord,
	receivedAt: Date,
	result: NormalizedDelivery,
): void {
	const entryAccountId = asString(entry.id);
	for (const event of asArray(entry.messaging)) {
		push(result, isRecord(event) ? fromMessagingEvent(provider, entryAccountId, event, receivedAt) : undefined);
	}
}

function fromMessagingEvent(
	provider: 'messenger' | 'instagram',
	entryAccountId: string | undefined,
	event: JsonRecord,
	receivedAt: Date,
): InboundMessage | undefined {
	const senderId = isRecord(event.sender) ? asString(event.sender.id) : undefined;
	const recipientId = isRecord(event.recipient) ? asString(event.recipient.id) : undefined;
	if (!senderId || !recipientId) return undefined;
	const timestamp = epochToIso(event.timestamp) ?? receivedAt.toISOString();

	if (isRecord(event.message)) {
		const message = event.message;
		const mid = asString(message.mid);
		if (!mid) return undefined;
		// An echo is the account's own outgoing message: the customer is the recipient, the account the sender.
		const isEcho = message.is_echo === true;
		const accountId = isEcho ? senderId : recipientId;
		const contactId = isEcho ? recipientId : senderId;
		return build(provider, 'dm', mid, entryAccountId ?? accountId, { externalId: contactId }, timestamp, {
			text: asString(message.text),
			attachments: messagingAttachments(message.attachments),
			isEcho,
		});
	}

	if (isRecord(event.postback)) {
		const postback = event.postback;
		const title = asString(postback.title);
		const payload = asString(postback.payload);
		const messageId = asString(postback.mid) ?? `postback:${senderId}:${asString(event.timestamp) ?? timestamp}`;
		return build(provider, 'postback', messageId, entryAccountId ?? recipientId, { externalId: senderId }, timestamp, {
			text: title ?? payload,
		});
	}

	if (isRecord(event.read)) {
		// Messenger reads carry a watermark (everything before it was read), Instagram reads the mid that was read.
		const marker = asString(event.read.mid) ?? asString(event.read.watermark);
		if (!marker) return undefined;
		return build(provider, 'read', `read:${senderId}:${marker}`, entryAccountId ?? recipientId, { externalId: senderId }, timestamp);
	}

	if (isRecord(event.delivery)) {
		const delivery = event.delivery;
		const marker = asString(delivery.watermark) ?? asString(asArray(delivery.mids)[0]);
		if (!marker) return undefined;
		return build(provider, 'status', `delivery:${senderId}:${marker}`, entryAccountId ?? recipientId, { externalId: senderId }, timestamp, {
			text: 'delivered',
		});
	}

	return undefined;
}

function messagingAttachments(value: unknown): InboundAttachment[] {
	const attachments: InboundAttachment[] = [];
	for (const attachment of asArray(value)) {
		if (!isRecord(attachment)) continue;
		const type = asString(attachment.type) ?? 'unknown';
		const url = isRecord(attachment.payload) ? asString(attachment.payload.url) : undefined;
		attachments.push(url ? { type, url } : { type });
	}
	return attachments;
}

// ---------------------------------------------------------------------------------------------------------------
// Instagram comments: entry[].changes[] with field 'comments' (also 'live_comments').
// ---------------------------------------------------------------------------------------------------------------

function collectInstagramChanges(entry: JsonRecord, receivedAt: Date, result: NormalizedDelivery): void {
	const accountId = asString(entry.id);
	for (const change of asArray(entry.changes)) {
		if (!isRecord(change) || !isRecord(change.value) || !accountId) {
			result.ignored++;
			continue;
		}
		if (change.field !== 'comments' && change.field !== 'live_comments') {
			result.ignored++;
			continue;
		}
		const value = change.value;
		const commentId = asString(value.id);
		const from = isRecord(value.from) ? value.from : undefined;
		const contactId = asString(from?.id);
		if (!commentId || !contactId) {
			result.ignored++;
			continue;
		}
		const contact: InboundContact = { externalId: contactId };
		const handle = asString(from?.username);
		if (handle) contact.handle = handle;
		const timestamp = epochToIso(value.timestamp) ?? epochToIso(entry.time) ?? receivedAt.toISOString();
		result.messages.push(
			build('instagram', 'comment', commentId, accountId, contact, timestamp, {
				text: asString(value.text),
				// The account commenting on its own media (e.g. a public reply) is the comment equivalent of an echo.
				isEcho: contactId === accountId,
			}),
		);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// WhatsApp Cloud API: entry[].changes[].value with metadata.phone_number_id, contacts[], messages[], statuses[].
// ---------------------------------------------------------------------------------------------------------------

function collectWhatsAppChanges(entry: JsonRecord, receivedAt: Date, result: NormalizedDelivery): void {
	for (const change of asArray(entry.changes)) {
		const value = isRecord(change) && change.field === 'messages' && isRecord(change.value) ? change.value : undefined;
		const phoneNumberId = value && isRecord(value.metadata) ? asString(value.metadata.phone_number_id) : undefined;
		if (!value || !phoneNumberId) {
			result.ignored++;
			continue;
		}

		const profileNames = new Map<string, string>();
		for (const contact of asArray(value.contacts)) {
			if (!isRecord(contact)) continue;
			const waId = asString(contact.wa_id);
			const name = isRecord(contact.profile) ? asString(contact.profile.name) : undefined;
			if (waId && name) profileNames.set(waId, name);
		}

		for (const message of asArray(value.messages)) {
			push(result, isRecord(message) ? fromWhatsAppMessage(phoneNumberId, message, profileNames, receivedAt) : undefined);
		}
		for (const status of asArray(value.statuses)) {
			push(result, isRecord(status) ? fromWhatsAppStatus(phoneNumberId, status, receivedAt) : undefined);
		}
	}
}

const WHATSAPP_MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'];

function whatsAppContact(waId: string, profileNames: Map<string, string>): InboundContact {
	const contact: InboundContact = { externalId: waId, phone: `+${waId}` };
	const name = profileNames.get(waId);
	if (name) contact.name = name;
	return contact;
}

function fromWhatsAppMessage(
	phoneNumberId: string,
	message: JsonRecord,
	profileNames: Map<string, string>,
	receivedAt: Date,
): InboundMessage | undefined {
	const waId = asString(message.from);
	const wamid = asString(message.id);
	const type = asString(message.type);
	if (!waId || !wamid || !type) return undefined;
	const contact = whatsAppContact(waId, profileNames);
	const timestamp = epochToIso(message.timestamp) ?? receivedAt.toISOString();
	const body = isRecord(message[type]) ? (message[type] as JsonRecord) : {};

	if (type === 'text') {
		return build('whatsapp', 'dm', wamid, phoneNumberId, contact, timestamp, { text: asString(body.body) });
	}
	if (WHATSAPP_MEDIA_TYPES.includes(type)) {
		// Cloud API media come as an id to download with the access token, not as a public URL.
		return build('whatsapp', 'dm', wamid, phoneNumberId, contact, timestamp, {
			text: asString(body.caption),
			attachments: [{ type }],
		});
	}
	if (type === 'location') {
		const label = [asString(body.name), asString(body.address)].filter(Boolean).join(', ');
		return build('whatsapp', 'dm', wamid, phoneNumberId, contact, timestamp, {
			text: label || undefined,
			attachments: [{ type: 'location' }],
		});
	}
	if (type === 'button') {
		// Quick-reply button of a template message.
		return build('whatsapp', 'postback', wamid, phoneNumberId, contact, timestamp, {
			text: asString(body.text) ?? asString(body.payload),
		});
	}
	if (type === 'interactive') {
		const reply = isRecord(body.button_reply) ? body.button_reply : isRecord(body.list_reply) ? body.list_reply : {};
		return build('whatsapp', 'postback', wamid, phoneNumberId, contact, timestamp, {
			text: asString(reply.title) ?? asString(reply.id),
		});
	}
	return undefined;
}

function fromWhatsAppStatus(phoneNumberId: string, status: JsonRecord, receivedAt: Date): InboundMessage | undefined {
	const wamid = asString(status.id);
	const state = asString(status.status);
	const recipientId = asString(status.recipient_id);
	if (!wamid || !state || !recipientId) return undefined;
	const timestamp = epochToIso(status.timestamp) ?? receivedAt.toISOString();
	// One sent message gets sent / delivered / read / failed updates under the same wamid: keep each one distinct.
	return build('whatsapp', 'status', `${wamid}:${state}`, phoneNumberId, { externalId: recipientId, phone: `+${recipientId}` }, timestamp, {
		text: state,
	});
}
