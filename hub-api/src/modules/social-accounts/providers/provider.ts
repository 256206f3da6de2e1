import type { Provider } from '../../../../../contracts/inbound-message';
import type { SocialProvider } from '../../../../../contracts/social-accounts';

/** What a token exchange or refresh gives back. Expiries are absolute; null means the provider gave none. */
export interface ProviderTokens {
	accessToken: string;
	refreshToken: string | null;
	expiresAt: Date | null;
	refreshExpiresAt: Date | null;
	scopes: string | null;
}

/**
 * A provider-side account the connection proves the tenant controls, claimed in the routing table for it: a Facebook
 * page (messenger) and its Instagram business account, a TikTok business account, a YouTube channel. Meta sends with
 * a token per page (`accessToken`); the others send with the connection's own token (null).
 */
export interface ProvenChannel {
	provider: Provider;
	externalId: string;
	name: string | null;
	accessToken: string | null;
}

/** The outcome of a successful callback: who connected, their tokens, and what they proved. */
export interface ConnectedIdentity {
	externalId: string;
	name: string | null;
	tokens: ProviderTokens;
	channels: ProvenChannel[];
}

/**
 * A provider refused (`rejected`: the code, grant or token is not valid — the person must connect again) or could not
 * be reached / answered nonsense (`unavailable`: try later). The message is the provider's, never a token.
 */
export class ProviderAuthError extends Error {
	constructor(
		readonly kind: 'rejected' | 'unavailable',
		message: string,
	) {
		super(message);
		this.name = 'ProviderAuthError';
	}
}

/**
 * A provider API call (send, reply, list) that did not succeed: `kind` says what the hub answers its caller
 * (auth → 409 reauth_required after marking the account; rate_limited → 429; quota → 429 youtube_quota_exceeded;
 * failed → 502 provider_error with the provider's message).
 */
export class ProviderCallError extends Error {
	constructor(
		readonly kind: 'auth' | 'rate_limited' | 'quota' | 'failed',
		message: string,
		readonly retryAfterSeconds?: number,
	) {
		super(message);
		this.name = 'ProviderCallError';
	}
}

/** One provider's OAuth flow, as the social-accounts service drives it. */
export interface OAuthProvider {
	readonly id: SocialProvider;
	/** The consent page URL; `codeChallenge` is the PKCE S256 challenge when the provider takes one (else null). */
	authorizationUrl(input: { state: string; redirectUri: string; codeChallenge: string | null }): string;
	/** Whether authorizationUrl carries a PKCE challenge (then connect needs the verifier). */
	readonly usesPkce: boolean;
	/** Code → tokens → who it is and which accounts it proves (and, for Meta, subscribes the app to the pages). */
	connect(input: { code: string; redirectUri: string; codeVerifier: string | null }): Promise<ConnectedIdentity>;
	/** A new access token from the refresh token; null when the provider has no refresh (Meta: reconnect). */
	refresh: ((refreshToken: string) => Promise<ProviderTokens>) | null;
	/** Revokes the connection at the provider, where it can (best effort: the caller forgets the tokens anyway). */
	revoke(input: { accessToken: string; externalId: string }): Promise<void>;
}

/** Every provider call gives up after this long: a hung provider must not hold a request (or a refresh lock) forever. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * JSON.parse that keeps integers beyond 2^53 as their digits (TikTok's and Meta's ids, when a provider sends them as
 * numbers): the reviver's `context.source` (Node ≥ 21) is the number's text as it was sent.
 */
export function parseJsonKeepingBigIds(text: string): unknown {
	return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
		typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)
			? context.source
			: value,
	);
}

export interface ProviderResponse {
	status: number;
	headers: Headers;
	/** The parsed body; undefined when it was empty or not JSON. */
	body: unknown;
}

/**
 * One HTTP call to a provider, timed out, its body parsed as JSON. A network failure or timeout is a
 * ProviderAuthError('unavailable') — callers that are not in an OAuth flow turn it into their own error.
 */
export async function providerRequest(
	url: string,
	init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<ProviderResponse> {
	let response: Response;
	try {
		response = await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
	} catch (error) {
		throw new ProviderAuthError('unavailable', `${new URL(url).host} could not be reached (${(error as Error).name})`);
	}
	const text = await response.text();
	let body: unknown;
	try {
		body = text === '' ? undefined : parseJsonKeepingBigIds(text);
	} catch {
		body = undefined;
	}
	return { status: response.status, headers: response.headers, body };
}

/** Seconds after `now` as an absolute time, or null when the provider gave no lifetime. */
export function expiryIn(seconds: unknown, now: Date): Date | null {
	return typeof seconds === 'number' && seconds > 0 ? new Date(now.getTime() + seconds * 1000) : null;
}

/** Retry-After in seconds (RFC 9110: seconds or an HTTP date), when the provider sent one. */
export function retryAfterOf(headers: Headers): number | undefined {
	const value = headers.get('retry-after');
	if (!value) return undefined;
	const seconds = /^\d+$/.test(value) ? Number(value) : Math.ceil((Date.parse(value) - Date.now()) / 1000);
	return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
