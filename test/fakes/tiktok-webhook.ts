/**
 * TikTok API for Business webhook deliveries for tests, shaped like the documented ones and serialised the way TikTok
 * sends them: the envelope `{client_key, event, create_time, user_openid, content}` with `content` a JSON string in
 * which the snowflake ids (comment_id, video_id, parent_comment_id) are bare JSON numbers above 2^53, plus the
 * `TikTok-Signature: t=<unix>,s=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` signer.
 * Shared by unit, workflow and end-to-end tests so they all exercise the same bytes.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';

import { snowflake } from './tiktok-business';

export { snowflake };

export const FAKE_TIKTOK_APP_SECRET = 'skybot-fake-tiktok-app-secret';
export const FAKE_TIKTOK_CLIENT_KEY = '7300000000000000001';

/** An open_id-like id (TikTok open_ids are opaque strings, not numbers). */
export function openId(): string {
	return `-000${randomBytes(12).toString('base64url')}`;
}

export interface TikTokDelivery {
	client_key: string;
	event: string;
	create_time: number;
	user_openid: string;
	content: string;
}

/**
 * Serialises a content object as TikTok does, writing the values of `bareNumbers` fields (digit strings) as JSON
 * numbers: `{"comment_id":7312345678901234567}`, which JSON.parse would round.
 */
export function serializeContent(content: Record<string, unknown>, bareNumbers: readonly string[] = []): string {
	let json = JSON.stringify(content);
	for (const field of bareNumbers) {
		json = json.replace(new RegExp(`"${field}":"(\\d+)"`), `"${field}":$1`);
	}
	return json;
}

export interface CommentInput {
	businessId?: string;
	commenterId?: string;
	commentId?: string;
	videoId?: string;
	/** Omitted: 0, TikTok's "no parent" for a top-level comment. */
	parentCommentId?: string;
	action?: 'insert' | 'delete' | 'set_to_hidden' | 'set_to_friends_only' | 'set_to_public';
	text?: string;
	at?: Date;
	clientKey?: string;
}

export function tiktokComment(input: CommentInput = {}): TikTokDelivery {
	const at = input.at ?? new Date();
	const content = {
		comment_id: input.commentId ?? snowflake(),
		video_id: input.videoId ?? snowflake(),
		parent_comment_id: input.parentCommentId ?? '0',
		comment_type: input.parentCommentId ? 'reply' : 'comment',
		comment_action: input.action ?? 'insert',
		timestamp: at.getTime(),
		unique_identifier: input.commenterId ?? openId(),
		text: input.text ?? 'Combien pour une coupe ?',
	};
	return {
		client_key: input.clientKey ?? FAKE_TIKTOK_CLIENT_KEY,
		event: 'comment.update',
		create_time: Math.floor(at.getTime() / 1000),
		user_openid: input.businessId ?? openId(),
		content: serializeContent(content, ['comment_id', 'video_id', 'parent_comment_id']),
	};
}

export interface DirectMessageInput {
	businessId?: string;
	userId?: string;
	conversationId?: string;
	messageId?: string;
	text?: string;
	/** `image` etc. with `mediaUrl`; default text. */
	type?: string;
	mediaUrl?: string;
	at?: Date;
	/** The business account's own message, echoed back as `im_send_msg`. */
	echo?: boolean;
	clientKey?: string;
}

export function tiktokDirectMessage(input: DirectMessageInput = {}): TikTokDelivery {
	const at = input.at ?? new Date();
	const businessId = input.businessId ?? openId();
	const userId = input.userId ?? openId();
	const business = { id: businessId, role: 'business_account' };
	const user = { id: userId, role: 'personal_account' };
	const [from, to] = input.echo ? [business, user] : [user, business];
	const type = input.type ?? 'text';
	const content: Record<string, unknown> = {
		from: from.id,
		from_user: from,
		to: to.id,
		to_user: to,
		conversation_id: input.conversationId ?? `${randomInt(1, 10)}:${snowflake()}:${snowflake()}`,
		message_id: input.messageId ?? snowflake(),
		timestamp: at.getTime(),
		type,
	};
	if (type === 'text') content.text = { body: input.text ?? 'Bonjour, vous êtes ouverts samedi ?' };
	if (input.mediaUrl) content.media_url = input.mediaUrl;
	return {
		client_key: input.clientKey ?? FAKE_TIKTOK_CLIENT_KEY,
		event: input.echo ? 'im_send_msg' : 'im_receive_msg',
		create_time: Math.floor(at.getTime() / 1000),
		user_openid: businessId,
		content: serializeContent(content, ['message_id']),
	};
}

/** The TikTok-Signature header for these bytes, signed at `timestamp` (unix seconds, default now). */
export function signTikTok(rawBody: string | Uint8Array, secret: string = FAKE_TIKTOK_APP_SECRET, timestamp?: number): string {
	const t = timestamp ?? Math.floor(Date.now() / 1000);
	const mac = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
	return `t=${t},s=${mac}`;
}
