/**
 * The one item every SkyBot provider trigger emits. Everything after the trigger (routing, quotas, AI,
 * decisions, logging) depends only on this shape, never on a provider's webhook payload.
 *
 * Imported by the node package, the hub API and the tests; types, constant lists and one pure predicate, so it adds
 * no runtime dependency to the node package.
 */
export const PROVIDERS = ['instagram', 'messenger', 'whatsapp', 'tiktok', 'youtube', 'linkedin'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** `dm` and `comment` can be answered; `postback` is a button tap; `read` and `status` are receipts, never answered. */
export const MESSAGE_KINDS = ['dm', 'comment', 'postback', 'read', 'status'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** What the customer wrote or tapped: the kinds a reply can answer (a postback's reply answers its button). */
export const ANSWERABLE_KINDS: readonly MessageKind[] = ['dm', 'comment', 'postback'];

/**
 * "Answerable?", written once: a customer's DM, comment or button tap, not the account's own echo. Receipts (`read`,
 * `status`) never are. The hub's admission and the SkyBot Decision node both ask this.
 */
export function isAnswerable(message: { kind: unknown; isEcho?: unknown }): boolean {
	return ANSWERABLE_KINDS.includes(message.kind as MessageKind) && message.isEcho !== true;
}

export interface InboundContact {
	externalId: string;
	name?: string;
	handle?: string;
	phone?: string;
}

/**
 * A file or a reference the message carries. Besides the provider's media types (`image`, `video`, `audio`,
 * `file`, `share`, …), Instagram story interactions arrive as DMs with one of these: `story_reply` (the customer
 * replied to one of the account's stories) and `story_mention` (the customer mentioned the account in their story),
 * the URL being the story's CDN URL (it expires with the story; Meta forbids storing the media itself).
 */
export interface InboundAttachment {
	type: string;
	url?: string;
}

/** A button tap: what the button was created with (`payload`, matched by scenarios) and what it showed (`title`). */
export interface InboundPostback {
	payload: string;
	title?: string;
}

/**
 * Where a comment was written. The comment itself is the message (`messageId` = the comment id, which is what a
 * private reply is addressed to); `postId` is the Facebook post or Instagram media commented on, `parentId` the
 * comment answered when the comment is a reply in a thread.
 */
export interface InboundComment {
	postId?: string;
	parentId?: string;
}

export interface InboundMessage {
	provider: Provider;
	kind: MessageKind;
	/** mid / wamid / comment id: the dedupe key (for a comment, also the id its private reply is addressed to). */
	messageId: string;
	/** Page id / IG account id / phone_number_id: routes to the tenant. */
	accountExternalId: string;
	/** Stable per (provider, account, contact). */
	conversationId: string;
	contact: InboundContact;
	text?: string;
	attachments?: InboundAttachment[];
	/** ISO 8601. */
	timestamp: string;
	/** True when the account itself sent the message (Meta "echo"): classified, never answered. */
	isEcho?: boolean;
	/** Kind `postback` only. */
	postback?: InboundPostback;
	/** Kind `comment` only, when the provider says which post (and thread) the comment is on. */
	comment?: InboundComment;
	/**
	 * The provider's own id of the DM thread, when replying addresses the thread rather than the person: TikTok's
	 * `business/message/send/` sends to a `conversation_id` (recipient_type CONVERSATION), not to an open_id.
	 */
	providerConversationId?: string;
}
