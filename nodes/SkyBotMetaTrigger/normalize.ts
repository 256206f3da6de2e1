import type {
	InboundAttachment,
	InboundComment,
	InboundContact,
	InboundMessage,
	InboundPostback,
	MessageKind,
	Provider,
} from '../../contracts/inbound-message';
import { conversationIdOf, epochToIso, eventOf, filterEvents } from '../shared/inbound';
import { asArray, asString, isRecord, type JsonRecord } from '../shared/json';

/**
 * Turns one Meta webhook delivery (Messenger, Instagram or WhatsApp Cloud API; Meta batches several entries and
 * events per delivery) into one InboundMessage per event. Events this package does not understand (reactions,
 * referrals, opt-ins, edits, unsent messages, removed or hidden comments, template status updates...) and malformed
 * events (a missing id, a wrong type) are counted in `ignored`, never guessed at; they never cost the other events
 * of the same delivery.
 */
export interface NormalizedDelivery {
	messages: InboundMessage[];
	ignored: number;
}

/** What the trigger's "Events to Emit" option filters on: the kinds, plus echoes of the account's own messages. */
export const EMITTABLE_EVENTS = ['dm', 'comment', 'echo', 'postback', 'read', 'status'] as const;
export type EmittableEvent = (typeof EMITTABLE_EVENTS)[number];

// Provider-blind, shared with the other triggers; re-exported for the Meta trigger's users.
export { conversationIdOf, epochToIso, eventOf, filterEvents };

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
				collectChanges(entry, receivedAt, result, fromFeedChange);
				break;
			case 'instagram':
				collectMessaging('instagram', entry, receivedAt, result);
				collectChanges(entry, receivedAt, result, fromInstagramCommentChange);
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
	extra: Pick<InboundMessage, 'text' | 'attachments' | 'isEcho' | 'postback' | 'comment'> = {},
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
	if (extra.postback) message.postback = extra.postback;
	if (extra.comment && Object.keys(extra.comment).length) message.comment = extra.comment;
	return message;
}

/** `{ payload, title }` with the title only when there is one; undefined without a payload to act on. */
function postbackOf(payload: string | undefined, title: string | undefined): InboundPostback | undefined {
	if (payload === undefined || payload === '') return undefined;
	return title ? { payload, title } : { payload };
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
		// An unsent (deleted) Instagram message comes back as the same mid with `is_deleted`: nothing new to answer.
		if (!mid || message.is_deleted === true) return undefined;
		// An echo is the account's own outgoing message: the customer is the recipient, the account the sender.
		const isEcho = message.is_echo === true;
		const accountId = isEcho ? senderId : recipientId;
		const contactId = isEcho ? recipientId : senderId;
		return build(provider, 'dm', mid, entryAccountId ?? accountId, { externalId: contactId }, timestamp, {
			text: asString(message.text),
			attachments: [...storyReply(message.reply_to), ...messagingAttachments(message.attachments)],
			isEcho,
		});
	}

	if (isRecord(event.postback)) {
		// Meta only puts `payload` in the notification to the app whose button it was: without one the tap is
		// another app's business (or malformed), and there is nothing for a scenario to match on.
		const postback = postbackOf(asString(event.postback.payload), asString(event.postback.title));
		// Postbacks carry a mid (Instagram since Graph v11.0, Messenger too). Without one, sender + Meta's own
		// timestamp is stable across redeliveries (the same event is resent byte for byte) and distinct per tap;
		// the reception time is not, so a postback with neither cannot be deduplicated and is dropped.
		const rawTimestamp = asString(event.timestamp);
		const messageId = asString(event.postback.mid) ?? (rawTimestamp ? `postback:${senderId}:${rawTimestamp}` : undefined);
		if (!postback || !messageId) return undefined;
		return build(provider, 'postback', messageId, entryAccountId ?? recipientId, { externalId: senderId }, timestamp, {
			text: postback.title ?? postback.payload,
			postback,
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

/**
 * An Instagram reply to one of the account's stories is a DM with `reply_to.story` { id, url }: kept as a
 * `story_reply` attachment (with the story's CDN URL when Meta gives it) so the reply knows what it answers.
 * A reply to an ordinary message (`reply_to.mid`) adds nothing.
 */
function storyReply(replyTo: unknown): InboundAttachment[] {
	if (!isRecord(replyTo) || !isRecord(replyTo.story)) return [];
	const url = asString(replyTo.story.url);
	return [url ? { type: 'story_reply', url } : { type: 'story_reply' }];
}

/** Attachments as Meta lists them; an Instagram story mention is one of type `story_mention` with the story URL. */
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
// Comments: entry[].changes[] with a field and a value. Facebook Page comments come as field 'feed' (object
// 'page'), Instagram comments as field 'comments' / 'live_comments' (object 'instagram').
// ---------------------------------------------------------------------------------------------------------------

type ChangeReader = (
	field: unknown,
	value: JsonRecord,
	accountId: string,
	entryTime: unknown,
	receivedAt: Date,
) => InboundMessage | undefined;

function collectChanges(entry: JsonRecord, receivedAt: Date, result: NormalizedDelivery, read: ChangeReader): void {
	const accountId = asString(entry.id);
	for (const change of asArray(entry.changes)) {
		const valid = isRecord(change) && isRecord(change.value) && accountId;
		push(result, valid ? read(change.field, change.value as JsonRecord, accountId, entry.time, receivedAt) : undefined);
	}
}

interface CommentFields {
	commentId: string | undefined;
	/** The commenter; `label` is their display name (Facebook) or @username (Instagram). */
	from: unknown;
	label: 'name' | 'handle';
	postId: string | undefined;
	parentId: string | undefined;
	timestamp: string;
	text: string | undefined;
	attachments?: InboundAttachment[];
}

/**
 * A comment is its own message (`messageId` = the comment id, the dedupe key and what a private reply is sent to);
 * its conversation is the commenter's with the account, like their DMs, so anti-flood, handover and history follow
 * the person across posts. The account's own comments (replies it wrote under its posts) are the comment
 * equivalent of echoes: emitted with `isEcho`, never answered.
 */
function commentMessage(provider: 'messenger' | 'instagram', accountId: string, fields: CommentFields): InboundMessage | undefined {
	const from = isRecord(fields.from) ? fields.from : {};
	const contactId = asString(from.id);
	if (!fields.commentId || !contactId) return undefined;
	const contact: InboundContact = { externalId: contactId };
	const label = asString(fields.label === 'name' ? from.name : from.username);
	if (label) contact[fields.label] = label;

	const comment: InboundComment = {};
	if (fields.postId) comment.postId = fields.postId;
	if (fields.parentId) comment.parentId = fields.parentId;
	return build(provider, 'comment', fields.commentId, accountId, contact, fields.timestamp, {
		text: fields.text,
		attachments: fields.attachments,
		comment,
		isEcho: contactId === accountId,
	});
}

/**
 * Facebook Page `feed`: posts, reactions, shares, likes and comments, each `add` / `edited` / `remove` / `hide` /
 * `unhide`. Only a comment being added is a new inbound message; edits and removals of a comment already seen, and
 * every other feed item, are ignored. The value is { from {id,name}, post_id, comment_id, parent_id (the post for a
 * top-level comment, the comment answered in a thread), message, created_time (seconds), photo?, item, verb }.
 */
const fromFeedChange: ChangeReader = (field, value, pageId, entryTime, receivedAt) => {
	if (field !== 'feed' || value.item !== 'comment' || value.verb !== 'add') return undefined;
	const postId = asString(value.post_id);
	const parentId = asString(value.parent_id);
	const photo = asString(value.photo);
	return commentMessage('messenger', pageId, {
		commentId: asString(value.comment_id),
		from: value.from,
		label: 'name',
		postId,
		parentId: parentId === postId ? undefined : parentId,
		timestamp: epochToIso(value.created_time) ?? epochToIso(entryTime) ?? receivedAt.toISOString(),
		text: asString(value.message),
		attachments: photo ? [{ type: 'image', url: photo }] : undefined,
	});
};

/** Instagram `comments` / `live_comments`: { id, text, from {id (the IGSID), username}, media {id}, parent_id? }. */
const fromInstagramCommentChange: ChangeReader = (field, value, accountId, entryTime, receivedAt) => {
	if (field !== 'comments' && field !== 'live_comments') return undefined;
	return commentMessage('instagram', accountId, {
		commentId: asString(value.id),
		from: value.from,
		label: 'handle',
		postId: isRecord(value.media) ? asString(value.media.id) : undefined,
		parentId: asString(value.parent_id),
		timestamp: epochToIso(value.timestamp) ?? epochToIso(entryTime) ?? receivedAt.toISOString(),
		text: asString(value.text),
	});
};

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
		// Quick-reply button of a template message: { text, payload }.
		const postback = postbackOf(asString(body.payload), asString(body.text));
		return build('whatsapp', 'postback', wamid, phoneNumberId, contact, timestamp, {
			text: asString(body.text) ?? asString(body.payload),
			postback,
		});
	}
	if (type === 'interactive') {
		// Reply button or list row of an interactive message: { id (the developer's payload), title }.
		const reply = isRecord(body.button_reply) ? body.button_reply : isRecord(body.list_reply) ? body.list_reply : {};
		return build('whatsapp', 'postback', wamid, phoneNumberId, contact, timestamp, {
			text: asString(reply.title) ?? asString(reply.id),
			postback: postbackOf(asString(reply.id), asString(reply.title)),
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
