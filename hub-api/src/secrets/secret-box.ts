import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (provider tokens, destination credentials): AES-256-GCM, a random 96-bit IV per value, the key id,
 * IV and tag stored with the ciphertext, and additional authenticated data binding each value to its table, column and
 * row, so a ciphertext copied to another row or column does not decrypt. Stored as one ASCII string:
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts).
 *
 * A keyring holds every key that may have encrypted a stored value; the first encrypts. Rotation: put the new key first,
 * keep the old ones until `reencrypt-secrets` has moved every value, then drop them.
 */
const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export interface SecretKey {
	id: string;
	key: Buffer;
}

/** Where a secret lives: what its ciphertext is bound to. */
export interface SecretPlace {
	table: string;
	column: string;
	rowId: string;
}

/** Why a stored secret cannot be read. Never carries the value, the key or the plaintext. */
export type SecretProblem = 'malformed' | 'unknown_key' | 'not_authentic';

export class SecretUnreadableError extends Error {
	constructor(
		readonly problem: SecretProblem,
		readonly place: SecretPlace,
		readonly keyId: string | null,
	) {
		super(
			`The secret in ${place.table}.${place.column} of row ${place.rowId} cannot be decrypted: ${
				{
					malformed: 'it is not a value this hub stored',
					unknown_key: `it was encrypted with key "${keyId}", which is not in the keyring (ENCRYPTION_KEYS)`,
					not_authentic: `it does not verify under key "${keyId}": tampered with, moved from another row, or the key is wrong`,
				}[problem]
			}`,
		);
	}
}

const aad = (place: SecretPlace) => Buffer.from(`${FORMAT}\0${place.table}\0${place.column}\0${place.rowId}`, 'utf8');

export class SecretBox {
	private readonly keys: Map<string, Buffer>;
	private readonly current: SecretKey;

	constructor(keyring: readonly SecretKey[]) {
		if (keyring.length === 0) throw new Error('A keyring needs at least one key');
		for (const { id, key } of keyring) {
			if (!KEY_ID.test(id)) throw new Error(`Key id "${id}" must be 1–32 letters, digits, - or _`);
			if (key.length !== KEY_BYTES) throw new Error(`Key "${id}" must be ${KEY_BYTES} bytes`);
		}
		this.keys = new Map(keyring.map(({ id, key }) => [id, key]));
		if (this.keys.size !== keyring.length) throw new Error('Key ids must be unique');
		this.current = keyring[0]!;
	}

	/** The id of the key new values are encrypted with. */
	get currentKeyId(): string {
		return this.current.id;
	}

	encrypt(plaintext: string, place: SecretPlace): string {
		const iv = randomBytes(IV_BYTES);
		const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, { authTagLength: TAG_BYTES });
		cipher.setAAD(aad(place));
		const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
		const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));
		return [FORMAT, this.current.id, ...parts].join('.');
	}

	/** The plaintext, or SecretUnreadableError saying why not. */
	decrypt(stored: string, place: SecretPlace): string {
		const parts = stored.split('.');
		const keyId = parts[1] ?? null;
		if (parts.length !== 5 || parts[0] !== FORMAT || !keyId || !KEY_ID.test(keyId)) {
			throw new SecretUnreadableError('malformed', place, null);
		}
		const key = this.keys.get(keyId);
		if (!key) throw new SecretUnreadableError('unknown_key', place, keyId);
		const [iv, tag, ciphertext] = parts.slice(2).map((part) => Buffer.from(part, 'base64url'));
		if (iv!.length !== IV_BYTES || tag!.length !== TAG_BYTES) throw new SecretUnreadableError('malformed', place, keyId);
		try {
			const decipher = createDecipheriv('aes-256-gcm', key, iv!, { authTagLength: TAG_BYTES });
			decipher.setAAD(aad(place));
			decipher.setAuthTag(tag!);
			return Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
		} catch {
			throw new SecretUnreadableError('not_authentic', place, keyId);
		}
	}

	/** Whether a stored value is under an older key than the current one (what re-encryption moves). */
	isCurrent(stored: string): boolean {
		return stored.split('.')[1] === this.current.id;
	}
}

/**
 * The keyring from the settings: ENCRYPTION_KEYS (`id:base64key,…`, the first encrypts) or ENCRYPTION_KEY (one base64
 * key, id `primary`). Null when neither is set. Throws with a message naming the problem, never the key.
 */
export function parseKeyring(setting: { keys?: string; key?: string }): SecretKey[] | null {
	// Buffer.from ignores characters outside base64 (and base64url): check the text first, then the length.
	const decode = (value: string, name: string) => {
		const text = value.trim();
		const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
		if (key.length !== KEY_BYTES) throw new Error(`${name} must be ${KEY_BYTES} bytes in base64 (openssl rand -base64 32)`);
		return key;
	};
	if (setting.keys?.trim()) {
		return setting.keys.split(',').map((entry, index) => {
			const separator = entry.indexOf(':');
			const id = entry.slice(0, separator).trim();
			if (separator < 1 || !KEY_ID.test(id)) {
				throw new Error(`ENCRYPTION_KEYS entry ${index + 1} must be <id>:<base64 key> with an id of letters, digits, - or _`);
			}
			return { id, key: decode(entry.slice(separator + 1), `ENCRYPTION_KEYS key "${id}"`) };
		});
	}
	if (setting.key?.trim()) return [{ id: 'primary', key: decode(setting.key, 'ENCRYPTION_KEY') }];
	return null;
}
