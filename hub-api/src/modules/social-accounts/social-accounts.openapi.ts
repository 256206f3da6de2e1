import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { interactionPage, listInteractionsQuery } from '../interactions/interactions.schemas';
import {
	channelView,
	metaSendDmBody,
	oauthCallbackQuery,
	onBehalfOfQuery,
	socialAccountIdParam,
	socialAccountView,
	socialProviderParam,
	tiktokReplyCommentBody,
	tiktokSendMessageBody,
	youtubeActivitiesQuery,
	youtubeCommentsQuery,
	youtubeQuotaView,
	tiktokCommentsQuery,
	youtubeReplyCommentBody,
} from './social-accounts.schemas';

export function registerSocialAccountsOpenApi(registry: OpenAPIRegistry): void {
	const socialAccount = registry.register('SocialAccount', socialAccountView);
	const quota = registry.register('YouTubeQuota', youtubeQuotaView);
	const docs = documentRoutes(registry, 'social-accounts');
	const sent = answer('The provider accepted it: the id it gave', z.object({ messageId: z.string() }));
	// Every provider call answers these besides its own validation errors.
	const providerErrors = errors(401, 403, 404, 409, 422, 429, 502, 503);

	docs.get('/api/social-accounts', "The account's connections and the pages, accounts and channels they prove (never a token)", {
		...authenticated('viewer'),
		request: { query: onBehalfOfQuery },
		responses: { 200: answer('Connections', z.object({ socialAccounts: z.array(socialAccount) })), ...errors(401, 403, 404, 422, 503) },
	});
	docs.get('/api/social-accounts/{provider}/auth-url', 'The provider consent page for the signed-in person (state: single use, 10 minutes)', {
		...authenticated('member'),
		request: { params: socialProviderParam },
		responses: {
			200: answer('Send the person to `url`', z.object({ url: z.url(), expiresAt: z.iso.datetime() })),
			...errors(401, 403, 422, 503),
		},
	});
	docs.get('/api/social-accounts/{provider}/callback', 'Where the provider sends the person back: exchanges the code, stores the tokens encrypted, claims what they prove', {
		security: [],
		request: { params: socialProviderParam, query: oauthCallbackQuery.in },
		responses: {
			200: answer(
				'Connected. `conflicts` lists provider accounts another SkyBot account already holds (not moved)',
				z.object({ socialAccount, claimed: z.array(channelView), conflicts: z.array(channelView) }),
			),
			...errors(400, 409, 422, 429, 502, 503),
		},
	});
	docs.delete('/api/social-accounts/{id}', 'Disconnect: revoke at the provider (best effort), forget the tokens, release what it proved', {
		...authenticated('admin'),
		request: { params: socialAccountIdParam, query: onBehalfOfQuery },
		responses: { 200: answer('Disconnected', z.object({ revoked: z.boolean() })), ...errors(401, 403, 404, 422, 503) },
	});
	docs.post('/api/social-accounts/tiktok/send-message', 'A TikTok DM with the business account\'s own token', {
		...authenticated('member'),
		request: { body: { content: json(tiktokSendMessageBody) } },
		responses: { 200: sent, ...providerErrors },
	});
	docs.post('/api/social-accounts/tiktok/reply-comment', 'A reply to a comment on a TikTok video', {
		...authenticated('member'),
		request: { body: { content: json(tiktokReplyCommentBody) } },
		responses: { 200: sent, ...providerErrors },
	});
	docs.get('/api/social-accounts/youtube/comments', "One page of the channel's comment threads, newest first (1 quota unit)", {
		...authenticated('viewer'),
		request: { query: youtubeCommentsQuery },
		responses: {
			200: answer(
				"YouTube's commentThread resources, unchanged",
				z.object({ items: z.array(z.unknown()), nextPageToken: z.string().optional(), quota }),
			),
			...providerErrors,
		},
	});
	docs.get('/api/social-accounts/youtube/activities', "One page of the channel's activities (uploads …), newest first (1 quota unit)", {
		...authenticated('viewer'),
		request: { query: youtubeActivitiesQuery },
		responses: {
			200: answer("YouTube's activity resources, unchanged", z.object({ items: z.array(z.unknown()), nextPageToken: z.string().optional(), quota })),
			...providerErrors,
		},
	});
	docs.get('/api/social-accounts/tiktok/comments', "One page of a video's comments, as TikTok lists them", {
		...authenticated('viewer'),
		request: { query: tiktokCommentsQuery },
		responses: {
			200: answer("TikTok's comment objects; pass `cursor` back for the next page", z.object({ comments: z.array(z.unknown()), cursor: z.number(), hasMore: z.boolean() })),
			...providerErrors,
		},
	});
	docs.get('/api/social-accounts/tiktok/interactions', "The hub's record of the account's TikTok comments and DMs, each with its outcome and reply, newest first", {
		...authenticated('viewer'),
		request: { query: listInteractionsQuery },
		responses: { 200: answer('Interactions', interactionPage), ...errors(401, 403, 404, 422) },
	});
	docs.get('/api/social-accounts/meta/messages', "The hub's record of the account's Messenger, Instagram and WhatsApp DMs, each with its outcome and reply, newest first", {
		...authenticated('viewer'),
		request: { query: listInteractionsQuery },
		responses: { 200: answer('Interactions', interactionPage), ...errors(401, 403, 404, 422) },
	});
	docs.get('/api/social-accounts/youtube/channels', 'The working YouTube channels: every tenant\'s with a platform key, the account\'s own otherwise', {
		...authenticated('viewer'),
		responses: {
			200: answer(
				'Channels',
				z.object({ channels: z.array(z.object({ accountId: z.uuid(), channelId: z.string(), name: z.string().nullable() })) }),
			),
			...errors(401, 403),
		},
	});
	docs.post('/api/social-accounts/youtube/reply-comment', 'A reply to a YouTube comment (50 quota units)', {
		...authenticated('member'),
		request: { body: { content: json(youtubeReplyCommentBody) } },
		responses: { 200: sent, ...providerErrors },
	});
	docs.post('/api/social-accounts/meta/send-dm', "A Messenger or Instagram DM with the page's own token", {
		...authenticated('member'),
		request: { body: { content: json(metaSendDmBody) } },
		responses: { 200: sent, ...providerErrors },
	});
}
