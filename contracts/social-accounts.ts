/**
 * Wire contract between the provider nodes in their "Hub-Held Token" mode and the hub's social-accounts routes.
 *
 * A tenant connects its TikTok, YouTube or Meta account to the hub through OAuth; the hub keeps the tokens,
 * encrypted, and refreshes them. n8n never sees a token: a node in hub mode asks the hub to make the provider call,
 * the hub makes it with the token of the tenant that owns `accountExternalId` and answers what the provider
 * answered (ids only). Plain types only: the node package stays free of runtime dependencies.
 *
 * Errors are the hub's usual `{error: {code, message}}` body. The codes the nodes turn into readable node errors:
 * - 404 `social_account_not_found`: no connected account holds `accountExternalId` (or not for this API key);
 * - 409 `reauth_required`: the account's tokens no longer work (refresh failed, revoked): reconnect it;
 * - 429 `provider_rate_limited` (with Retry-After) and, for YouTube, 429 `youtube_quota_exceeded`;
 * - 502 `provider_error`: the provider refused the call (its message in `error.message`).
 */

/** The providers a tenant connects through OAuth. `meta` covers Messenger pages and Instagram business accounts. */
export const SOCIAL_PROVIDERS = ['meta', 'tiktok', 'youtube'] as const;
export type SocialProvider = (typeof SOCIAL_PROVIDERS)[number];

export const SOCIAL_ACCOUNT_STATUSES = ['active', 'reauth_required'] as const;
export type SocialAccountStatus = (typeof SOCIAL_ACCOUNT_STATUSES)[number];

/** Every request below may carry `accountId`: required with a platform key, ignored with an account key. */
interface OnBehalfOf {
	accountId?: string;
}

/** POST /api/social-accounts/tiktok/send-message: a DM (`business/message/send/`) to a user who wrote first. */
export interface TikTokSendMessageRequest extends OnBehalfOf {
	/** The business account's open_id (InboundMessage.accountExternalId). */
	accountExternalId: string;
	/** The user's open_id / conversation partner (InboundMessage.contact.externalId). */
	recipientId: string;
	/**
	 * TikTok's conversation_id of the thread with that user (InboundMessage.providerConversationId): what
	 * `business/message/send/` addresses (`recipient_type: "CONVERSATION"`, `recipient: <conversation_id>`). Sent
	 * whenever the inbound DM carried one; without it the hub has to find the thread of `recipientId` itself.
	 */
	providerConversationId?: string;
	text: string;
}

/** POST /api/social-accounts/tiktok/reply-comment: `business/comment/reply/create/`. */
export interface TikTokReplyCommentRequest extends OnBehalfOf {
	accountExternalId: string;
	/** The video the comment is on (InboundMessage.comment.postId). */
	videoId: string;
	/** The comment answered (InboundMessage.messageId). */
	commentId: string;
	text: string;
}

/** POST /api/social-accounts/youtube/reply-comment: `comments.insert` with `snippet.parentId`. */
export interface YouTubeReplyCommentRequest extends OnBehalfOf {
	/** The channel id (InboundMessage.accountExternalId). */
	accountExternalId: string;
	/** The top-level comment answered (InboundMessage.messageId). */
	parentId: string;
	text: string;
}

/** POST /api/social-accounts/meta/send-dm: the Send API with the page's own token. */
export interface MetaSendDmRequest extends OnBehalfOf {
	provider: 'messenger' | 'instagram' | 'whatsapp';
	accountExternalId: string;
	recipientId: string;
	text: string;
	/** Answer this comment privately instead of messaging `recipientId`. */
	commentId?: string;
}

/** The answer of every send route above: the id the provider gave the message or comment. */
export interface SocialSendResponse {
	messageId: string;
}

/** YouTube Data API units left to the Google project today (the hub counts them; they reset at midnight Pacific). */
export interface YouTubeQuotaView {
	used: number;
	limit: number;
	/** ISO 8601: when Google resets the count. */
	resetAt: string;
	/** True once Google answered `quotaExceeded` today (or the count reached the limit): calls wait for `resetAt`. */
	exceeded: boolean;
}

/**
 * GET /api/social-accounts/youtube/comments?accountExternalId=<channel id>[&pageToken=…][&accountId=…]: one page of
 * `commentThreads.list` (allThreadsRelatedToChannelId, order time, newest first) made with the channel's token. The
 * items are YouTube's own `commentThread` resources, unchanged.
 */
export interface YouTubeCommentsResponse {
	items: unknown[];
	nextPageToken?: string;
	quota: YouTubeQuotaView;
}

/**
 * GET /api/social-accounts/youtube/channels: the YouTube channels connected to the hub and working (`active`). With a
 * platform key every tenant's, each with its `accountId` (what the operator's YouTube entry workflow polls); with an
 * account key the account's own.
 */
export interface YouTubeChannelsResponse {
	channels: { accountId: string; channelId: string; name: string | null }[];
}
