import { createHmac, timingSafeEqual } from 'node:crypto';
import { HubError } from '../../errors';

/**
 * Execution reports are signed like Stripe webhooks:
 *   X-SkyBot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with SKYBOT_WEBHOOK_SECRET>
 * The timestamp is inside the signed bytes, so a captured report cannot be replayed after the tolerance window
 * with a fresh `t`. Several v1 entries may be sent (one per secret while rotating); one match is enough.
 */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export function signPayload(secret: string, timestamp: number, rawBody: Buffer | string): string {
	return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The header value for `rawBody` signed at `timestamp` (unix seconds): what the SkyBot node sends. */
export function signatureHeader(secret: string, timestamp: number, rawBody: Buffer | string): string {
	return `t=${timestamp},v1=${signPayload(secret, timestamp, rawBody)}`;
}

const invalidSignature = (message: string) => new HubError(401, 'invalid_signature', message);

function parseHeader(header: string): { timestamp: number; signatures: string[] } {
	let timestamp: number | undefined;
	const signatures: string[] = [];
	for (const part of header.split(',')) {
		const separator = part.indexOf('=');
		const key = part.slice(0, separator).trim();
		const value = part.slice(separator + 1).trim();
		if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
		if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
	}
	if (timestamp === undefined || signatures.length === 0) {
		throw invalidSignature('X-SkyBot-Signature must be "t=<unix seconds>,v1=<hex HMAC-SHA256>"');
	}
	return { timestamp, signatures };
}

/** Throws 401 `invalid_signature` unless the header signs exactly these bytes, recently enough. */
export function verifySignature(secret: string, header: string | undefined, rawBody: Buffer, now: Date): void {
	if (!header) throw invalidSignature('X-SkyBot-Signature header is missing');
	const { timestamp, signatures } = parseHeader(header);
	if (Math.abs(now.getTime() / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
		throw invalidSignature('The signature timestamp is outside the 5-minute tolerance');
	}
	const expected = Buffer.from(signPayload(secret, timestamp, rawBody), 'hex');
	// Both sides are 32 bytes (the header parser only keeps 64 hex digits), as timingSafeEqual requires.
	const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
	if (!matches) throw invalidSignature('The signature does not match the request body');
}
