import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { type HubRefusal, hubApiRequest } from '../../SkyBot/transport';

/** The hub routes that call TikTok with the tenant's own token (contracts/social-accounts.ts). */
export type TikTokHubRoute = 'reply-comment' | 'send-message';

/**
 * Every call of the TikTok node goes to the hub, authenticated by the SkyBot Hub API credential: the hub holds the
 * tenant's TikTok tokens (encrypted, refreshed) and makes the TikTok call; n8n never sees a TikTok token.
 */
export async function tiktokHubRequest(
	this: IExecuteFunctions,
	route: TikTokHubRoute,
	body: IDataObject,
	itemIndex: number,
): Promise<unknown> {
	const accountExternalId = String(body.accountExternalId ?? '');
	return await hubApiRequest.call(this, 'POST', `/api/social-accounts/tiktok/${route}`, itemIndex, body, {
		clearerMessage: (refusal) => describeTikTokRefusal(refusal, accountExternalId),
	});
}

/**
 * The hub's social-account error codes, said for a TikTok operator: what went wrong and what to do. The hub's own
 * message stays in the node error's description; other refusals keep the hub's wording.
 */
export function describeTikTokRefusal(refusal: HubRefusal, accountExternalId: string): string | undefined {
	const account = accountExternalId ? `business account ${accountExternalId}` : 'the business account';
	switch (refusal.code) {
		case 'social_account_not_found':
			return `No connected TikTok account in the hub holds ${account}: connect it through the hub's TikTok OAuth (GET /api/social-accounts/tiktok/auth-url) with this API key's tenant`;
		case 'reauth_required':
			return `TikTok ${account} must be reconnected in the hub: its TikTok tokens no longer work (refresh refused or access revoked)`;
		case 'provider_rate_limited': {
			const wait = waitOf(refusal.retryAfter);
			return `TikTok is rate limiting ${account}${wait ? `: retry in ${wait}` : ': retry later'}`;
		}
		case 'provider_error':
			return `TikTok refused the call for ${account}: ${refusal.message}`;
		default:
			return undefined;
	}
}

/** Retry-After (seconds or an HTTP date) as a duration to read, or undefined when it says nothing usable. */
function waitOf(retryAfter: string | undefined, now = Date.now()): string | undefined {
	if (!retryAfter) return undefined;
	const trimmed = retryAfter.trim();
	const seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : Math.ceil((Date.parse(trimmed) - now) / 1000);
	if (!Number.isFinite(seconds) || seconds < 0) return undefined;
	return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

/** The id the hub says TikTok gave the reply or the message (SocialSendResponse.messageId). */
export function readSentId(response: unknown): string | undefined {
	const record = response as IDataObject | undefined;
	const id = record && typeof record === 'object' ? record.messageId : undefined;
	return typeof id === 'string' && id !== '' ? id : undefined;
}
