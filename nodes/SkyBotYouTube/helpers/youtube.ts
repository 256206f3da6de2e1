import type { InboundMessage } from '../../../contracts/inbound-message';
import type { ApiErrorDetails } from '../../shared/transport';
import { asArray, asNumber, asString, isRecord } from '../../shared/json';
import { conversationIdOf } from '../../SkyBotMetaTrigger/normalize';

/** Where the YouTube Data API lives; the node's "API Base URL" option replaces it (a proxy, or a test's fake). */
export const YOUTUBE_API_BASE_URL = 'https://www.googleapis.com';

/** The errors that mean "no more YouTube calls until the quota resets": Google's reason and the hub's code. */
export const QUOTA_EXCEEDED_CODES: ReadonlySet<string> = new Set(['quotaExceeded', 'youtube_quota_exceeded']);

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** The wall-clock hour, minute, second in Los Angeles at `ms`. */
function pacificClock(ms: number): { hour: number; minute: number; second: number } {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone: 'America/Los_Angeles',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
		hourCycle: 'h23',
	}).formatToParts(new Date(ms));
	const read = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
	return { hour: read('hour'), minute: read('minute'), second: read('second') };
}

/**
 * When Google resets the project's daily YouTube quota: the next midnight, Pacific time. Counted from the wall clock
 * there, then corrected by an hour when a daylight-saving change falls in between (those days last 23 or 25 hours).
 */
export function nextQuotaReset(now = Date.now()): string {
	const clock = pacificClock(now);
	const elapsed = ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1000 + (now % 1000);
	let reset = now - elapsed + DAY_MS;
	const hour = pacificClock(reset).hour;
	if (hour === 23) reset += HOUR_MS;
	else if (hour === 1) reset -= HOUR_MS;
	return new Date(reset).toISOString();
}

export const quotaExhaustedMessage = (resetAt: string) => `YouTube quota exhausted until ${resetAt}`;

/**
 * Google's Data API errors: `{error: {code, message, errors: [{reason, domain, message}], status}}`. The first
 * error's reason is the item's code (`quotaExceeded`, `authError`, `commentNotFound` …); the cases an operator acts
 * on get a sentence saying what to do, the others Google's own message.
 */
export function describeYouTubeError(body: unknown, httpStatus: number, now = Date.now()): ApiErrorDetails {
	const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
	const first = asArray(error?.errors).find(isRecord);
	const reason = asString(first?.reason);
	const googleMessage = asString(error?.message) ?? asString(first?.message) ?? `HTTP ${httpStatus}`;
	const status = [`HTTP ${httpStatus}`, reason && `reason ${reason}`, asString(first?.domain) && `domain ${asString(first?.domain)}`]
		.filter(Boolean)
		.join(', ');
	const details = (message: string): ApiErrorDetails => ({
		message,
		description: `${stripHtml(googleMessage)} (${status})`,
		code: reason ?? String(asNumber(error?.code) ?? httpStatus),
	});
	if (httpStatus === 401) {
		return details('YouTube refused the access token even after a refresh: reconnect the YouTube OAuth2 credential');
	}
	if (reason !== undefined && QUOTA_EXCEEDED_CODES.has(reason)) return details(quotaExhaustedMessage(nextQuotaReset(now)));
	if (reason === 'insufficientPermissions') {
		return details('The YouTube credential lacks the youtube.force-ssl scope: reconnect it with that scope');
	}
	if (reason === 'commentNotFound') return details('The comment answered no longer exists on YouTube (deleted or held for review)');
	if (reason === 'channelNotFound') return details('YouTube knows no channel with this ID');
	return details(`YouTube Data API error${reason ? ` ${reason}` : ''}: ${stripHtml(googleMessage)}`);
}

/** Google's quota message carries a link (`<a href=…>quota</a>`): its words are what an error should show. */
function stripHtml(text: string): string {
	return text.replace(/<[^>]*>/g, '');
}

/** The node errors the hub's codes become (contracts/social-accounts.ts), for the channel the call was made for. */
export function hubErrorMessages(channelId: string, now = Date.now()): Record<string, string> {
	return {
		social_account_not_found: `No YouTube account connected to the hub holds channel ${channelId}: connect it in the hub (Social Accounts), or check the API key's account`,
		reauth_required: `The hub's YouTube connection for channel ${channelId} no longer works (refresh failed or access revoked): reconnect it in the hub`,
		youtube_quota_exceeded: quotaExhaustedMessage(nextQuotaReset(now)),
		provider_rate_limited: 'YouTube is rate limiting the hub: retry later',
		provider_error: 'YouTube refused the call the hub made for this channel',
	};
}

// ---- comment threads --------------------------------------------------------------------------------------------

export interface ThreadStamp {
	/** The thread id, which is also its top-level comment's id. */
	id: string;
	/** ISO 8601 publishedAt of the top-level comment. */
	publishedAt: string;
}

/** The id and time a `youtube#commentThread` is ordered and deduplicated by, or undefined when it has neither. */
export function threadStamp(thread: unknown): ThreadStamp | undefined {
	if (!isRecord(thread)) return undefined;
	const snippet = isRecord(thread.snippet) ? thread.snippet : {};
	const topLevel = isRecord(snippet.topLevelComment) ? snippet.topLevelComment : {};
	const commentSnippet = isRecord(topLevel.snippet) ? topLevel.snippet : {};
	const id = asString(topLevel.id) ?? asString(thread.id);
	const publishedAt = asString(commentSnippet.publishedAt);
	if (!id || !publishedAt || Number.isNaN(Date.parse(publishedAt))) return undefined;
	return { id, publishedAt };
}

/**
 * A `youtube#commentThread` (as commentThreads.list answers it, directly or through the hub) as the InboundMessage
 * of its top-level comment: the comment id is the message id (a reply's `parentId`), the video is the post, the
 * commenter's channel is the contact. A comment the channel wrote itself is an echo: classified, never answered.
 */
export function threadToInboundMessage(thread: unknown, channelId: string): InboundMessage | undefined {
	const stamp = threadStamp(thread);
	if (!stamp || !isRecord(thread)) return undefined;
	const snippet = isRecord(thread.snippet) ? thread.snippet : {};
	const topLevel = isRecord(snippet.topLevelComment) ? snippet.topLevelComment : {};
	const comment = isRecord(topLevel.snippet) ? topLevel.snippet : {};
	const authorChannel = isRecord(comment.authorChannelId) ? asString(comment.authorChannelId.value) : undefined;
	const name = asString(comment.authorDisplayName);
	// A commenter without a channel (rare: a deleted account) still needs a stable contact: their display name.
	const contactId = authorChannel ?? `name:${name ?? 'unknown'}`;
	const contact: InboundMessage['contact'] = { externalId: contactId };
	if (name) contact.name = name;
	// YouTube handles are "@name"; the display name of a channel with a handle is that handle.
	if (name?.startsWith('@')) contact.handle = name;
	const videoId = asString(comment.videoId) ?? asString(snippet.videoId);
	const message: InboundMessage = {
		provider: 'youtube',
		kind: 'comment',
		messageId: stamp.id,
		accountExternalId: channelId,
		conversationId: conversationIdOf('youtube', channelId, contactId),
		contact,
		// textOriginal is only guaranteed to the comment's author; for everyone else it is textDisplay, plain text when
		// listed with textFormat=plainText (as the trigger does, and the hub should).
		text: asString(comment.textOriginal) ?? asString(comment.textDisplay) ?? '',
		timestamp: new Date(stamp.publishedAt).toISOString(),
	};
	if (videoId) message.comment = { postId: videoId };
	if (authorChannel === channelId) message.isEcho = true;
	return message;
}
