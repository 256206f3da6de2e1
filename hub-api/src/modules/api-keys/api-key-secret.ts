import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Keys look like `skb_<prefix>_<secret>`: the prefix (12 hex) is public and finds the row, the secret (32 base64url
 * characters, 192 random bits) is never stored. High entropy makes a plain sha256 sufficient: there is nothing to
 * brute-force, so a slow password hash would only cost latency on every machine call.
 */
const KEY_PATTERN = /^skb_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/;

export interface GeneratedKey {
	key: string;
	prefix: string;
	keyHash: string;
}

/** One-shot crypto.hash: every authenticated call hashes the presented key, and it skips a Hash object per call. */
export function hashKey(key: string): string {
	return hash('sha256', key, 'hex');
}

export function generateKey(): GeneratedKey {
	const prefix = randomBytes(6).toString('hex');
	const key = `skb_${prefix}_${randomBytes(24).toString('base64url')}`;
	return { key, prefix, keyHash: hashKey(key) };
}

/** The prefix of a well-formed key, or null: malformed keys are rejected before touching the database. */
export function prefixOf(key: string): string | null {
	return KEY_PATTERN.exec(key)?.[1] ?? null;
}

export function keyMatchesHash(key: string, storedHash: string): boolean {
	const presented = Buffer.from(hashKey(key), 'hex');
	const stored = Buffer.from(storedHash, 'hex');
	return presented.length === stored.length && timingSafeEqual(presented, stored);
}
