import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import type {
	SocialSendResponse,
	YouTubeChannelsResponse,
	YouTubeCommentsResponse,
	YouTubeQuotaView,
	YouTubeReplyCommentRequest,
} from '../../../contracts/social-accounts';
import { asArray, asNumber, asString, isRecord } from '../../shared/json';
import { authenticatedRequest, type RequestContext } from '../../shared/transport';
import { hubApiRequest } from '../../SkyBot/transport';
import { YOUTUBE_CREDENTIAL_TYPE, type YouTubeAuthentication } from '../helpers/properties';
import { describeYouTubeError, hubErrorMessages, YOUTUBE_API_BASE_URL } from '../helpers/youtube';

/** Where and how a YouTube node reaches YouTube: the node's authentication mode and that mode's settings. */
export interface YouTubeAccess {
	authentication: YouTubeAuthentication;
	/** Direct mode: root of the Data API (default https://www.googleapis.com). */
	apiBaseUrl?: string;
	/** Hub mode: the hub account the channel belongs to (platform API keys only). */
	hubAccountId?: string;
}

/**
 * One YouTube Data API v3 call with n8n's youTubeOAuth2Api credential. OAuth2: a 401 is let through as an error, so
 * n8n refreshes the token and repeats the call (see AuthenticatedRequest.oauth2).
 */
async function youTubeApiRequest(
	this: RequestContext,
	access: YouTubeAccess,
	method: IHttpRequestMethods,
	resource: string,
	query: Record<string, string | undefined>,
	itemIndex: number,
	body?: IDataObject,
): Promise<unknown> {
	const baseUrl = (access.apiBaseUrl || YOUTUBE_API_BASE_URL).replace(/\/+$/, '');
	const search = new URLSearchParams();
	for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, value);
	return await authenticatedRequest.call(this, {
		credentialType: YOUTUBE_CREDENTIAL_TYPE,
		oauth2: true,
		http: { method, url: `${baseUrl}/youtube/v3/${resource}?${search.toString()}`, body },
		itemIndex,
		// No retry: comments.insert is not idempotent (a repeated insert after a lost answer posts the reply twice),
		// and a list that failed is simply polled again at the next interval.
		describeError: (errorBody, httpStatus) => describeYouTubeError(errorBody, httpStatus),
	});
}

/** The hub's social-accounts routes for YouTube (contracts/social-accounts.ts), its codes worded for this channel. */
async function youTubeHubRequest(
	this: RequestContext,
	method: IHttpRequestMethods,
	path: string,
	channelId: string,
	itemIndex: number,
	body?: IDataObject,
): Promise<unknown> {
	return await hubApiRequest.call(this, method, path, itemIndex, body, { messageByCode: hubErrorMessages(channelId) });
}

export interface CommentThreadsPage {
	/** `youtube#commentThread` resources, newest first. */
	items: unknown[];
	nextPageToken?: string;
	/** Hub mode only: the Google project's quota as the hub counts it. */
	quota?: YouTubeQuotaView;
}

/** One page of commentThreads.list for the channel: allThreadsRelatedToChannelId, order time (newest first). */
export async function listCommentThreads(
	this: RequestContext,
	access: YouTubeAccess,
	channelId: string,
	page: { pageToken?: string; maxResults: number },
): Promise<CommentThreadsPage> {
	if (access.authentication === 'hub') {
		const query = new URLSearchParams({ accountExternalId: channelId });
		if (page.pageToken) query.set('pageToken', page.pageToken);
		if (access.hubAccountId) query.set('accountId', access.hubAccountId);
		const answer = await youTubeHubRequest.call(
			this,
			'GET',
			`/api/social-accounts/youtube/comments?${query.toString()}`,
			channelId,
			0,
		);
		return readCommentsPage(answer, true);
	}
	const answer = await youTubeApiRequest.call(
		this,
		access,
		'GET',
		'commentThreads',
		{
			part: 'snippet',
			allThreadsRelatedToChannelId: channelId,
			order: 'time',
			textFormat: 'plainText',
			maxResults: String(page.maxResults),
			pageToken: page.pageToken,
		},
		0,
	);
	return readCommentsPage(answer, false);
}

function readCommentsPage(answer: unknown, fromHub: boolean): CommentThreadsPage {
	const body = isRecord(answer) ? answer : {};
	const page: CommentThreadsPage = { items: asArray(body.items) };
	const nextPageToken = asString(body.nextPageToken);
	if (nextPageToken) page.nextPageToken = nextPageToken;
	if (fromHub && isRecord(body.quota)) {
		const quota = body.quota;
		const used = asNumber(quota.used);
		const limit = asNumber(quota.limit);
		const resetAt = asString(quota.resetAt);
		if (used !== undefined && limit !== undefined && resetAt !== undefined) {
			page.quota = { used, limit, resetAt, exceeded: quota.exceeded === true } satisfies YouTubeCommentsResponse['quota'];
		}
	}
	return page;
}

/** The channels connected to the hub and working: every tenant's with a platform key, the account's own otherwise. */
export async function connectedChannels(this: RequestContext): Promise<YouTubeChannelsResponse['channels']> {
	const answer = await hubApiRequest.call(this, 'GET', '/api/social-accounts/youtube/channels', 0);
	const channels = isRecord(answer) ? asArray(answer.channels).filter(isRecord) : [];
	return channels.flatMap((channel) => {
		const channelId = asString(channel.channelId);
		const accountId = asString(channel.accountId);
		return channelId && accountId ? [{ channelId, accountId, name: asString(channel.name) ?? null }] : [];
	});
}

/** The channel the OAuth2 credential belongs to (channels.list mine=true), for a trigger left without a channel ID. */
export async function ownChannelId(this: RequestContext, access: YouTubeAccess): Promise<string | undefined> {
	const answer = await youTubeApiRequest.call(this, access, 'GET', 'channels', { part: 'id', mine: 'true' }, 0);
	const first = isRecord(answer) ? asArray(answer.items).find(isRecord) : undefined;
	return asString(first?.id);
}

/** Replies to a top-level comment (comments.insert, snippet.parentId); answers the id YouTube gave the reply. */
export async function replyToComment(
	this: RequestContext,
	access: YouTubeAccess,
	reply: { channelId: string; parentId: string; text: string },
	itemIndex: number,
): Promise<string | undefined> {
	if (access.authentication === 'hub') {
		const request: YouTubeReplyCommentRequest = {
			accountExternalId: reply.channelId,
			parentId: reply.parentId,
			text: reply.text,
		};
		if (access.hubAccountId) request.accountId = access.hubAccountId;
		const answer = await youTubeHubRequest.call(
			this,
			'POST',
			'/api/social-accounts/youtube/reply-comment',
			reply.channelId,
			itemIndex,
			request as unknown as IDataObject,
		);
		return isRecord(answer) ? asString((answer as Partial<SocialSendResponse>).messageId) : undefined;
	}
	const answer = await youTubeApiRequest.call(this, access, 'POST', 'comments', { part: 'snippet' }, itemIndex, {
		snippet: { parentId: reply.parentId, textOriginal: reply.text },
	});
	return isRecord(answer) ? asString(answer.id) : undefined;
}
