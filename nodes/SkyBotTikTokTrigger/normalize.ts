import type { InboundAttachment, InboundComment, InboundMessage } from '../../contracts/inbound-message';
import { conversationIdOf, epochToIso } from '../shared/inbound';
import { asString, isRecord, type JsonRecord, parseJsonKeepingBigIntegers } from '../shared/json';

/**
 * Turns one TikTok API for Business webhook delivery into at most one InboundMessage. A delivery is one event:
 * `{client_key, event, create_time (unix s), user_openid (the business account that authorised the app), content}`
 * where `content` is itself a JSON document in a string. Two events become messages:
 *
 * - `comment.update` with `comment_action: "insert"`: a new comment on one of the account's videos. Its content is
 *   `{comment_id, video_id, parent_comment_id (0 for a top-level comment), comment_type ("comment" | "reply"),
 *   comment_action, timestamp (ms), unique_identifier (the commenter), text}`. Deletions and visibility changes
 *   (`delete`, `set_to_hidden`, …) are not new messages.
 * - `im_receive_msg`: a DM. Its content is `{from, from_user {id, role}, to, to_user {id, role}, conversation_id,
 *   message_id, timestamp (ms), type ("text", "image", "share_post", …), text {body}, media_url?, share_post?}`.
 *   `im_send_msg` is the account's own outgoing DM (what our send produced, echoed back).
 *
 * The account's own messages (a DM it sent, a comment it wrote under its video) are echoes: emitted with `isEcho`,
 * never answered. TikTok's ids are 19-digit snowflakes sent as bare JSON numbers; both levels are parsed with
 * `parseJsonKeepingBigIntegers`, so an id is never rounded (…6913 read as …7000 would address another comment).
 * Anything else, or an event missing the ids it needs, is `ignored` and never guessed at.
 */
export interface NormalizedTikTokDelivery {
	message?: InboundMessage;
	/** Why nothing was emitted, for the log (an unsupported event, a malformed one). */
	ignored?: string;
	/** The delivery's `client_key`, for checking it against the credential's. */
	clientKey?: string;
}

/** What the trigger's "Events to Emit" option filters on. */
export const TIKTOK_EMITTABLE_EVENTS = ['comment', 'dm', 'echo'] as const;
/** By default the account's own messages start nothing: they are what the pipeline itself sent. */
export const TIKTOK_DEFAULT_EVENTS = ['comment', 'dm'] as const;

/** Parses a delivery's raw body (or `content` string), keeping big integers as strings. Throws on malformed JSON. */
export function parseTikTokJson(text: string): unknown {
	return parseJsonKeepingBigIntegers(text);
}

/** A TikTok id as a string: a string as sent, a (safe) number in decimal. Zero and empty mean "none" on TikTok. */
function idOf(value: unknown): string | undefined {
	const id = asString(value)?.trim();
	return id && id !== '0' ? id : undefined;
}

export function normalizeTikTokDelivery(payload: unknown, receivedAt: Date = new Date()): NormalizedTikTokDelivery {
	if (!isRecord(payload)) return { ignored: 'payload is not an object' };
	const clientKey = asString(payload.client_key);
	const event = asString(payload.event);
	const accountId = idOf(payload.user_openid);
	const result = (outcome: Omit<NormalizedTikTokDelivery, 'clientKey'>): NormalizedTikTokDelivery =>
		clientKey === undefined ? outcome : { ...outcome, clientKey };

	if (event !== 'comment.update' && event !== 'im_receive_msg' && event !== 'im_send_msg') {
		return result({ ignored: `event ${event ?? '(none)'} is not a comment or a DM` });
	}
	if (!accountId) return result({ ignored: `${event} without user_openid` });

	let content: unknown;
	try {
		// `content` is a JSON string; an already-decoded object is accepted too (a proxy may have re-encoded it).
		content = typeof payload.content === 'string' ? parseTikTokJson(payload.content) : payload.content;
	} catch {
		return result({ ignored: `${event} content is not JSON` });
	}
	if (!isRecord(content)) return result({ ignored: `${event} without content` });

	const fallbackTime = epochToIso(payload.create_time) ?? receivedAt.toISOString();
	const message =
		event === 'comment.update'
			? fromComment(accountId, content, fallbackTime)
			: fromDirectMessage(accountId, event === 'im_send_msg', content, fallbackTime);
	return typeof message === 'string' ? result({ ignored: message }) : result({ message });
}

/** A new comment, or the reason it is not one. */
function fromComment(accountId: string, content: JsonRecord, fallbackTime: string): InboundMessage | string {
	const action = asString(content.comment_action);
	if (action !== 'insert') return `comment.update ${action ?? '(no action)'} is not a new comment`;
	const commentId = idOf(content.comment_id);
	const videoId = idOf(content.video_id);
	const commenterId = idOf(content.unique_identifier);
	if (!commentId || !videoId || !commenterId) return 'comment.update insert without comment_id, video_id or unique_identifier';

	const comment: InboundComment = { postId: videoId };
	// `parent_comment_id` is 0 on a top-level comment: only a real id makes it a reply in a thread.
	const parentId = idOf(content.parent_comment_id);
	if (parentId && parentId !== commentId) comment.parentId = parentId;
	return build({
		kind: 'comment',
		messageId: commentId,
		accountId,
		contactId: commenterId,
		timestamp: epochToIso(content.timestamp) ?? fallbackTime,
		text: asString(content.text),
		comment,
		// The account's own comment (its reply under its video, ours included) is an echo. TikTok marks it with
		// `owner` on the comment APIs; the webhook may instead name the account itself as the commenter.
		isEcho: content.owner === true || commenterId === accountId,
	});
}

/** A DM (or the account's own, echoed back), or the reason it is not one. */
function fromDirectMessage(accountId: string, sentByAccount: boolean, content: JsonRecord, fallbackTime: string): InboundMessage | string {
	const event = sentByAccount ? 'im_send_msg' : 'im_receive_msg';
	const messageId = idOf(content.message_id);
	const fromId = isRecord(content.from_user) ? idOf(content.from_user.id) : idOf(content.from);
	const toId = isRecord(content.to_user) ? idOf(content.to_user.id) : idOf(content.to);
	// The account's own message: announced as im_send_msg, or an im_receive_msg whose sender is the account.
	const isEcho = sentByAccount || fromId === accountId;
	const contactId = isEcho ? toId : fromId;
	if (!messageId || !contactId) return `${event} without message_id or the user's id`;
	if (contactId === accountId) return `${event} between the account and itself`;

	const type = asString(content.type) ?? 'text';
	const text = isRecord(content.text) ? asString(content.text.body) : asString(content.text);
	const attachments: InboundAttachment[] = [];
	const mediaUrl = asString(content.media_url);
	if (type !== 'text') {
		const sharedVideo = isRecord(content.share_post) ? asString(content.share_post.embed_url) : undefined;
		const url = mediaUrl ?? sharedVideo;
		attachments.push(url ? { type, url } : { type });
	}
	if (!text && attachments.length === 0) return `${event} with neither text nor media`;

	const message = build({
		kind: 'dm',
		messageId,
		accountId,
		contactId,
		timestamp: epochToIso(content.timestamp) ?? fallbackTime,
		text,
		attachments,
		isEcho,
	});
	const thread = idOf(content.conversation_id);
	if (thread) message.providerConversationId = thread;
	return message;
}

interface MessageParts {
	kind: 'dm' | 'comment';
	messageId: string;
	accountId: string;
	contactId: string;
	timestamp: string;
	text?: string;
	attachments?: InboundAttachment[];
	comment?: InboundComment;
	isEcho: boolean;
}

function build(parts: MessageParts): InboundMessage {
	const message: InboundMessage = {
		provider: 'tiktok',
		kind: parts.kind,
		messageId: parts.messageId,
		accountExternalId: parts.accountId,
		conversationId: conversationIdOf('tiktok', parts.accountId, parts.contactId),
		contact: { externalId: parts.contactId },
		timestamp: parts.timestamp,
	};
	if (parts.text) message.text = parts.text;
	if (parts.attachments?.length) message.attachments = parts.attachments;
	if (parts.isEcho) message.isEcho = true;
	if (parts.comment) message.comment = parts.comment;
	return message;
}
