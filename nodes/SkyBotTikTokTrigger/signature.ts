import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * TikTok signs every webhook delivery with `TikTok-Signature: t=<unix seconds>,s=<hex HMAC-SHA256>`, the HMAC keyed
 * by the app secret over `<t>.<raw body>`. Like Meta's, it covers the exact bytes TikTok sent, so it is computed on
 * the raw request body, never on re-serialised JSON; the timestamp inside the signed string is what makes a replayed
 * delivery detectable, hence the tolerance window.
 */
export const TIKTOK_SIGNATURE_HEADER = 'tiktok-signature';

/** How far a delivery's timestamp may be from our clock, either way (TikTok's documented 5 minutes). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type TikTokSignatureFailure = 'missing_secret' | 'missing_signature' | 'malformed_signature' | 'stale_timestamp' | 'mismatch';

export type TikTokSignatureCheck = { valid: true } | { valid: false; reason: TikTokSignatureFailure };

function hmac(rawBody: Uint8Array, appSecret: string, timestamp: string): Buffer {
	return createHmac('sha256', appSecret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The header TikTok would send for these bytes at `timestamp` (unix seconds). */
export function computeTikTokSignature(rawBody: Uint8Array, appSecret: string, timestamp: number): string {
	return `t=${timestamp},s=${hmac(rawBody, appSecret, String(timestamp)).toString('hex')}`;
}

/** `t=…,s=…` → its parts; undefined unless there is exactly one decimal `t` and one 64-hex-digit `s`. */
function parseHeader(header: string): { timestamp: string; signature: Buffer } | undefined {
	const parts = new Map<string, string>();
	for (const part of header.split(',')) {
		const separator = part.indexOf('=');
		if (separator <= 0) return undefined;
		const key = part.slice(0, separator).trim();
		// A repeated key is not something TikTok sends; refuse rather than guess which copy counts.
		if (parts.has(key)) return undefined;
		parts.set(key, part.slice(separator + 1).trim());
	}
	const timestamp = parts.get('t');
	const signature = parts.get('s');
	if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature || !/^[0-9a-f]{64}$/i.test(signature)) return undefined;
	return { timestamp, signature: Buffer.from(signature, 'hex') };
}

export function verifyTikTokSignature(
	rawBody: Uint8Array,
	signatureHeader: string | string[] | undefined,
	appSecret: string,
	nowSeconds: number = Math.floor(Date.now() / 1000),
	toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): TikTokSignatureCheck {
	if (!appSecret) return { valid: false, reason: 'missing_secret' };
	if (signatureHeader === undefined || signatureHeader === '') return { valid: false, reason: 'missing_signature' };
	if (Array.isArray(signatureHeader)) return { valid: false, reason: 'malformed_signature' };

	const parsed = parseHeader(signatureHeader);
	if (!parsed) return { valid: false, reason: 'malformed_signature' };
	// The MAC is compared first, so a forged header learns nothing from which check refused it; a genuine but old
	// signature (a replay) is then refused for its age.
	const expected = hmac(rawBody, appSecret, parsed.timestamp);
	if (!timingSafeEqual(parsed.signature, expected)) return { valid: false, reason: 'mismatch' };
	if (Math.abs(nowSeconds - Number(parsed.timestamp)) > toleranceSeconds) return { valid: false, reason: 'stale_timestamp' };
	return { valid: true };
}
