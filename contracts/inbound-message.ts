/**
 * The one item every SkyBot provider trigger emits. Everything after the trigger (routing, quotas, AI,
 * decisions, logging) depends only on this shape, never on a provider's webhook payload.
 *
 * Imported by the node package, the hub API and the tests; type-only plus two constant lists, so it adds
 * no runtime dependency to the node package.
 */
export const PROVIDERS = ['instagram', 'messenger', 'whatsapp', 'tiktok', 'youtube', 'linkedin'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** `dm` and `comment` can be answered; `postback` is a button tap; `read` and `status` are receipts, never answered. */
export const MESSAGE_KINDS = ['dm', 'comment', 'postback', 'read', 'status'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export interface InboundContact {
	externalId: string;
	name?: string;
	handle?: string;
	phone?: string;
}

export interface InboundAttachment {
	type: string;
	url?: string;
}

export interface InboundMessage {
	provider: Provider;
	kind: MessageKind;
	/** mid / wamid / comment id: the dedupe key. */
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
}
