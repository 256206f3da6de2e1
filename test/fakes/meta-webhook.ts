/**
 * Meta webhook payloads for tests, shaped like the documented deliveries (Messenger Platform messages and postbacks,
 * Facebook Page feed comments, Instagram Messaging with story replies and mentions, Instagram comments, WhatsApp
 * Cloud API) and serialised the way Meta sends them, plus the X-Hub-Signature-256 signer.
 * Shared by unit, workflow and end-to-end tests so they all exercise the same bytes.
 *
 * Defaults are random ids, so two tests never collide on a message id or an account.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';

export type MetaObject = 'page' | 'instagram' | 'whatsapp_business_account';

export interface MetaWebhookPayload {
	object: MetaObject;
	entry: Record<string, unknown>[];
}

/** A random numeric Graph id (page, IG account, PSID, phone_number_id…) of the usual length. */
export function graphId(): string {
	return `${randomInt(1, 10)}${Array.from({ length: 15 }, () => randomInt(0, 10)).join('')}`;
}

/** A random phone number in WhatsApp's `wa_id` form (country code, no +). */
export function waId(): string {
	return `336${Array.from({ length: 8 }, () => randomInt(0, 10)).join('')}`;
}

function mid(): string {
	return `m_${randomBytes(30).toString('base64url')}`;
}

function wamid(): string {
	return `wamid.${randomBytes(30).toString('base64url')}`;
}

function epochMs(date: Date | undefined): number {
	return (date ?? new Date()).getTime();
}

export interface DirectMessageInput {
	/** Page id (Messenger) or Instagram professional account id. */
	accountId?: string;
	/** PSID / IGSID of the person writing. */
	senderId?: string;
	text?: string;
	mid?: string;
	at?: Date;
	attachments?: { type: string; payload: { url: string } }[];
	/** An echo: the account itself sent the message (sender and recipient swap, `is_echo: true`). */
	echo?: boolean;
	/** Instagram: the message replies to one of the account's stories (`reply_to.story`). */
	replyToStory?: { id: string; url?: string };
}

function directMessage(object: 'page' | 'instagram', input: DirectMessageInput): MetaWebhookPayload {
	const accountId = input.accountId ?? graphId();
	const contactId = input.senderId ?? graphId();
	const timestamp = epochMs(input.at);
	const message: Record<string, unknown> = { mid: input.mid ?? mid() };
	if (input.echo) {
		message.is_echo = true;
		message.app_id = 1517776481860111;
	}
	if (input.text !== undefined) message.text = input.text;
	if (input.attachments) message.attachments = input.attachments;
	if (input.replyToStory) message.reply_to = { story: input.replyToStory };
	return messagingEntry(object, accountId, input.echo ? accountId : contactId, input.echo ? contactId : accountId, timestamp, {
		message,
	});
}

function messagingEntry(
	object: 'page' | 'instagram',
	accountId: string,
	senderId: string,
	recipientId: string,
	timestamp: number,
	body: Record<string, unknown>,
): MetaWebhookPayload {
	return {
		object,
		entry: [
			{
				id: accountId,
				time: timestamp,
				messaging: [{ sender: { id: senderId }, recipient: { id: recipientId }, timestamp, ...body }],
			},
		],
	};
}

/** Messenger `messages` event (object `page`). */
export function messengerMessage(input: DirectMessageInput = {}): MetaWebhookPayload {
	return directMessage('page', { text: 'Bonjour, quels sont vos tarifs ?', ...input });
}

/** Instagram Messaging DM (object `instagram`, same `messaging` shape as Messenger). */
export function instagramMessage(input: DirectMessageInput = {}): MetaWebhookPayload {
	return directMessage('instagram', { text: 'Salut ! Vous livrez à Lyon ?', ...input });
}

/** Instagram reply to one of the account's stories: a DM whose message has `reply_to.story` { id, url }. */
export function instagramStoryReply(input: DirectMessageInput = {}): MetaWebhookPayload {
	return instagramMessage({
		text: 'Trop beau ! Dispo en bleu ?',
		replyToStory: { id: graphId(), url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=story1&signature=abc' },
		...input,
	});
}

/** Instagram story mention: a DM with no text and one `story_mention` attachment carrying the story's CDN URL. */
export function instagramStoryMention(input: DirectMessageInput & { storyUrl?: string } = {}): MetaWebhookPayload {
	const { storyUrl, ...message } = input;
	const url = storyUrl ?? 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=mention1&signature=def';
	return directMessage('instagram', { attachments: [{ type: 'story_mention', payload: { url } }], ...message });
}

export interface PostbackInput {
	accountId?: string;
	senderId?: string;
	payload?: string;
	title?: string;
	/** The postback's message id; `null` leaves it out, as notifications before Graph v11.0 did. */
	mid?: string | null;
	at?: Date;
}

function postback(object: 'page' | 'instagram', input: PostbackInput): MetaWebhookPayload {
	const accountId = input.accountId ?? graphId();
	const body: Record<string, unknown> = { title: input.title ?? 'Voir les tarifs', payload: input.payload ?? 'PRICES' };
	if (input.mid !== null) body.mid = input.mid ?? mid();
	return messagingEntry(object, accountId, input.senderId ?? graphId(), accountId, epochMs(input.at), { postback: body });
}

/** Messenger `messaging_postbacks` event: a postback button, Get Started or persistent menu tap. */
export function messengerPostback(input: PostbackInput = {}): MetaWebhookPayload {
	return postback('page', input);
}

/** Instagram `messaging_postbacks` event: an icebreaker or a generic template button tap. */
export function instagramPostback(input: PostbackInput = {}): MetaWebhookPayload {
	return postback('instagram', input);
}

/** Messenger `message_reads` event: a receipt, never answered. */
export function messengerRead(input: { pageId?: string; senderId?: string; at?: Date } = {}): MetaWebhookPayload {
	const pageId = input.pageId ?? graphId();
	const timestamp = epochMs(input.at);
	return messagingEntry('page', pageId, input.senderId ?? graphId(), pageId, timestamp, { read: { watermark: timestamp } });
}

export interface InstagramCommentInput {
	accountId?: string;
	commentId?: string;
	fromId?: string;
	fromUsername?: string;
	text?: string;
	mediaId?: string;
	parentId?: string;
	at?: Date;
}

/** Instagram `comments` change on a post of the account. */
export function instagramComment(input: InstagramCommentInput = {}): MetaWebhookPayload {
	const value: Record<string, unknown> = {
		from: { id: input.fromId ?? graphId(), username: input.fromUsername ?? 'lea.martin' },
		media: { id: input.mediaId ?? graphId(), media_product_type: 'FEED' },
		id: input.commentId ?? graphId(),
		text: input.text ?? 'Prix ? 😍',
	};
	if (input.parentId) value.parent_id = input.parentId;
	return {
		object: 'instagram',
		entry: [{ id: input.accountId ?? graphId(), time: Math.floor(epochMs(input.at) / 1000), changes: [{ field: 'comments', value }] }],
	};
}

export interface FacebookCommentInput {
	pageId?: string;
	/** `<post id>_<comment id>`, as Graph API spells comment ids. */
	commentId?: string;
	/** `<page id>_<post id>`. */
	postId?: string;
	/** The comment answered, for a reply in a thread; a top-level comment has the post as parent. */
	parentId?: string;
	fromId?: string;
	fromName?: string;
	text?: string;
	/** `add` for a new comment; Meta also sends `edited`, `remove`, `hide` and `unhide`. */
	verb?: 'add' | 'edited' | 'remove' | 'hide' | 'unhide';
	photo?: string;
	at?: Date;
}

/** Facebook Page `feed` change for a comment on one of the page's posts (object `page`, times in seconds). */
export function facebookComment(input: FacebookCommentInput = {}): MetaWebhookPayload {
	const pageId = input.pageId ?? graphId();
	const postId = input.postId ?? `${pageId}_${graphId()}`;
	const createdTime = Math.floor(epochMs(input.at) / 1000);
	const value: Record<string, unknown> = {
		from: { id: input.fromId ?? graphId(), name: input.fromName ?? 'Léa Martin' },
		post: { status_type: 'added_photos', is_published: true, updated_time: new Date(createdTime * 1000).toISOString(), id: postId },
		message: input.text ?? 'Combien ? 😍',
		post_id: postId,
		comment_id: input.commentId ?? `${postId.split('_').pop()}_${graphId()}`,
		created_time: createdTime,
		item: 'comment',
		parent_id: input.parentId ?? postId,
		verb: input.verb ?? 'add',
	};
	if (input.photo) value.photo = input.photo;
	return { object: 'page', entry: [{ id: pageId, time: createdTime, changes: [{ field: 'feed', value }] }] };
}

export interface WhatsAppAccountInput {
	/** WhatsApp Business Account id (the entry id). */
	businessAccountId?: string;
	phoneNumberId?: string;
	displayPhoneNumber?: string;
}

function whatsappMetadata(input: WhatsAppAccountInput): { entryId: string; metadata: Record<string, string> } {
	return {
		entryId: input.businessAccountId ?? graphId(),
		metadata: {
			display_phone_number: input.displayPhoneNumber ?? '33180000000',
			phone_number_id: input.phoneNumberId ?? graphId(),
		},
	};
}

export interface WhatsAppTextInput extends WhatsAppAccountInput {
	from?: string;
	profileName?: string;
	text?: string;
	wamid?: string;
	at?: Date;
}

/** WhatsApp Cloud API inbound text message (`messages` field). */
export function whatsappText(input: WhatsAppTextInput = {}): MetaWebhookPayload {
	const { entryId, metadata } = whatsappMetadata(input);
	const from = input.from ?? waId();
	return {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: entryId,
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata,
							contacts: [{ profile: { name: input.profileName ?? 'Chloé Durand' }, wa_id: from }],
							messages: [
								{
									from,
									id: input.wamid ?? wamid(),
									timestamp: String(Math.floor(epochMs(input.at) / 1000)),
									type: 'text',
									text: { body: input.text ?? 'Bonjour, je voudrais un devis 🙏' },
								},
							],
						},
					},
				],
			},
		],
	};
}

export interface WhatsAppStatusInput extends WhatsAppAccountInput {
	status?: 'sent' | 'delivered' | 'read' | 'failed';
	recipientId?: string;
	wamid?: string;
	at?: Date;
}

/** WhatsApp delivery / read receipt for a message the business sent (`statuses`): never answered. */
export function whatsappStatus(input: WhatsAppStatusInput = {}): MetaWebhookPayload {
	const { entryId, metadata } = whatsappMetadata(input);
	const status = input.status ?? 'delivered';
	const statusEntry: Record<string, unknown> = {
		id: input.wamid ?? wamid(),
		status,
		timestamp: String(Math.floor(epochMs(input.at) / 1000)),
		recipient_id: input.recipientId ?? waId(),
	};
	if (status !== 'read' && status !== 'failed') {
		statusEntry.conversation = { id: randomBytes(16).toString('hex'), origin: { type: 'service' } };
		statusEntry.pricing = { billable: false, pricing_model: 'PMP', category: 'service' };
	}
	if (status === 'failed') {
		statusEntry.errors = [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message' }];
	}
	return {
		object: 'whatsapp_business_account',
		entry: [{ id: entryId, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata, statuses: [statusEntry] } }] }],
	};
}

/** One delivery carrying several entries, as Meta batches them (all payloads must share the same `object`). */
export function batch(...payloads: MetaWebhookPayload[]): MetaWebhookPayload {
	const [first] = payloads;
	if (!first) throw new Error('batch() needs at least one payload');
	if (payloads.some((payload) => payload.object !== first.object)) throw new Error('batch() payloads must share one object type');
	return { object: first.object, entry: payloads.flatMap((payload) => payload.entry) };
}

/**
 * The body as Meta's servers write it: JSON with every non-ASCII character escaped as \uXXXX (an emoji becomes
 * its UTF-16 surrogate pair, e.g. 😍 → \ud83d\ude0d) and `/` escaped as `\/`. The signature covers these exact
 * bytes, so a receiver that re-serialises the parsed JSON before verifying fails on any accent or emoji.
 */
export function serializeLikeMeta(payload: unknown): string {
	return JSON.stringify(payload)
		.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
		.replace(/\//g, '\\/');
}

/** X-Hub-Signature-256 value for a body: `sha256=` + hex HMAC-SHA256 of the raw bytes with the app secret. */
export function sign(rawBody: string | Buffer, appSecret: string): string {
	return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export interface SignedDelivery {
	body: string;
	headers: { 'content-type': 'application/json'; 'x-hub-signature-256': string };
}

/** A POST ready to send to a webhook: Meta-serialised body and its signature header. */
export function signedDelivery(payload: MetaWebhookPayload, appSecret: string): SignedDelivery {
	const body = serializeLikeMeta(payload);
	return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, appSecret) } };
}
