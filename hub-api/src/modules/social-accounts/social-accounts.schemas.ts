import { z } from 'zod';
import { PROVIDERS } from '../../../../contracts/inbound-message';
import {
	type MetaSendDmRequest,
	SOCIAL_ACCOUNT_STATUSES,
	SOCIAL_PROVIDERS,
	type TikTokReplyCommentRequest,
	type TikTokSendMessageRequest,
	type YouTubeReplyCommentRequest,
} from '../../../../contracts/social-accounts';
import type { Expect, MatchesContract } from '../../contract-check';

export const socialProviderParam = z.object({ provider: z.enum(SOCIAL_PROVIDERS) });
export const socialAccountIdParam = z.object({ id: z.uuid() });
export const onBehalfOfQuery = z.object({ accountId: z.uuid().optional() });

/**
 * What the provider appends to the redirect URI. `state` is required: it is what authenticates the callback.
 * Providers send the code as `code` (Meta, Google) or `auth_code` (TikTok).
 */
export const oauthCallbackQuery = z
	.object({
		state: z.string().min(1).max(512),
		code: z.string().min(1).max(4096).optional(),
		auth_code: z.string().min(1).max(4096).optional(),
		error: z.string().max(200).optional(),
		error_description: z.string().max(1000).optional(),
	})
	.transform(({ state, code, auth_code, error, error_description }) => ({
		state,
		code: code ?? auth_code,
		error,
		errorDescription: error_description,
	}));

const externalId = z.string().trim().min(1).max(200);
/** TikTok allows 150 characters per comment reply, YouTube 10 000 per comment, Messenger 2 000 per message. */
const text = (max: number) => z.string().trim().min(1).max(max);
const onBehalfOf = { accountId: z.uuid().optional() };

export const tiktokSendMessageBody = z.object({
	...onBehalfOf,
	accountExternalId: externalId,
	recipientId: externalId,
	providerConversationId: externalId.optional(),
	text: text(6000),
});
export const tiktokReplyCommentBody = z.object({
	...onBehalfOf,
	accountExternalId: externalId,
	videoId: externalId,
	commentId: externalId,
	text: text(150),
});
export const youtubeReplyCommentBody = z.object({ ...onBehalfOf, accountExternalId: externalId, parentId: externalId, text: text(10_000) });
export const metaSendDmBody = z.object({
	...onBehalfOf,
	provider: z.enum(['messenger', 'instagram', 'whatsapp']),
	accountExternalId: externalId,
	recipientId: externalId,
	text: text(2000),
	commentId: externalId.optional(),
});
export const youtubeCommentsQuery = z.object({
	...onBehalfOf,
	accountExternalId: externalId,
	pageToken: z.string().min(1).max(500).optional(),
});

export const tiktokCommentsQuery = z.object({
	...onBehalfOf,
	accountExternalId: externalId,
	videoId: z.string().regex(/^\d{1,24}$/, 'must be a TikTok video id (digits)'),
	cursor: z.coerce.number().int().min(0).max(1_000_000).optional(),
});
export const youtubeActivitiesQuery = youtubeCommentsQuery;

export type TikTokSendMessageMatches = Expect<MatchesContract<typeof tiktokSendMessageBody, TikTokSendMessageRequest>>;
export type TikTokReplyCommentMatches = Expect<MatchesContract<typeof tiktokReplyCommentBody, TikTokReplyCommentRequest>>;
export type YouTubeReplyCommentMatches = Expect<MatchesContract<typeof youtubeReplyCommentBody, YouTubeReplyCommentRequest>>;
export type MetaSendDmMatches = Expect<MatchesContract<typeof metaSendDmBody, MetaSendDmRequest>>;

export const channelView = z.object({ provider: z.enum(PROVIDERS), externalId: z.string(), name: z.string().nullable() });

/** A connection as the hub answers it (the OpenAPI component `SocialAccount`): never a token. */
export const socialAccountView = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	provider: z.enum(SOCIAL_PROVIDERS),
	externalId: z.string(),
	name: z.string().nullable(),
	status: z.enum(SOCIAL_ACCOUNT_STATUSES),
	scopes: z.array(z.string()),
	tokenExpiresAt: z.iso.datetime().nullable(),
	refreshedAt: z.iso.datetime().nullable(),
	connectedBy: z.uuid().nullable(),
	createdAt: z.iso.datetime(),
	/** The provider accounts (pages, Instagram accounts, channels) this connection proves and routes to the account. */
	channels: z.array(channelView),
});
export type SocialAccountView = z.output<typeof socialAccountView>;

export const youtubeQuotaView = z.object({ used: z.number(), limit: z.number(), resetAt: z.iso.datetime(), exceeded: z.boolean() });
