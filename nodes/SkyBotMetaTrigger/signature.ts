import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Meta signs every webhook delivery with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` keyed by
 * the app secret. The HMAC covers the exact bytes Meta sent (it escapes non-ASCII as \uXXXX, emoji as surrogate
 * pairs), so it must be computed on the raw request body, never on re-serialised JSON.
 */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/i;

export type SignatureFailure = 'missing_secret' | 'missing_signature' | 'malformed_signature' | 'mismatch';

export type SignatureCheck = { valid: true } | { valid: false; reason: SignatureFailure };

export function computeMetaSignature(rawBody: Uint8Array, appSecret: string): string {
	return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export function verifyMetaSignature(
	rawBody: Uint8Array,
	signatureHeader: string | string[] | undefined,
	appSecret: string,
): SignatureCheck {
	if (!appSecret) return { valid: false, reason: 'missing_secret' };
	if (signatureHeader === undefined || signatureHeader === '') {
		return { valid: false, reason: 'missing_signature' };
	}
	// A repeated header is not something Meta sends; refuse rather than guess which copy counts.
	if (Array.isArray(signatureHeader)) return { valid: false, reason: 'malformed_signature' };

	const match = SIGNATURE_PATTERN.exec(signatureHeader.trim());
	if (!match) return { valid: false, reason: 'malformed_signature' };

	const received = Buffer.from(match[1], 'hex');
	const expected = createHmac('sha256', appSecret).update(rawBody).digest();
	return timingSafeEqual(received, expected) ? { valid: true } : { valid: false, reason: 'mismatch' };
}

/**
 * Constant-time string equality (for the verify token of the GET handshake): both sides are hashed first so the
 * comparison never leaks the expected token's length.
 */
export function safeEqualStrings(received: string, expected: string): boolean {
	const digest = (value: string) => createHmac('sha256', 'skybot-verify-token').update(value).digest();
	return timingSafeEqual(digest(received), digest(expected));
}

export type HandshakeAnswer = { status: 200; challenge: string } | { status: 403 };

/**
 * Meta's subscription handshake: GET ?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<n>. Only a
 * matching token gets the challenge echoed back; anything else is refused without revealing why.
 */
export function answerHandshake(query: Record<string, unknown>, verifyToken: string): HandshakeAnswer {
	const mode = query['hub.mode'];
	const token = query['hub.verify_token'];
	const challenge = query['hub.challenge'];
	if (
		verifyToken === '' ||
		mode !== 'subscribe' ||
		typeof token !== 'string' ||
		typeof challenge !== 'string' ||
		challenge === '' ||
		!safeEqualStrings(token, verifyToken)
	) {
		return { status: 403 };
	}
	return { status: 200, challenge };
}
