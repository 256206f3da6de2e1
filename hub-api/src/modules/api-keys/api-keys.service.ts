import type { EntityManager } from 'typeorm';
import { CacheInvalidations } from '../../cache/cache-invalidations';
import { HotCache } from '../../cache/hot-cache';
import type { Clock } from '../../clock';
import { HubError, notFound } from '../../errors';
import { type Role, roleAtLeast } from '../users/roles';
import type { ApiKey } from './api-key.entity';
import { generateKey, hashKey, keyMatchesHash, prefixOf } from './api-key-secret';
import type { ApiKeysRepository } from './api-keys.repository';
import type { ApiKeyView, CreatedApiKey, ReplacedApiKey } from './api-keys.schemas';

/** Who manages keys, and how: a key never gets (nor is managed by someone with) less than its role. */
export type KeyOwner = { scope: 'platform' } | { scope: 'account'; accountId: string; role: Role };

const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * Authenticated keys are kept this long in each process, so a busy machine caller costs no SQL per request; past it,
 * the entry still answers while one reload runs (cache/hot-cache.ts). Revoking or rotating drops the entry at once
 * here and, over Redis pub/sub, in the other replicas; the TTL only bounds how late a replica that missed the message
 * (Redis down) notices: after the TTL, once the reload it starts has read the row.
 */
const AUTHENTICATED_KEY_TTL_MS = 5_000;
const AUTHENTICATED_KEY_CACHE_SIZE = 10_000;

// One answer for every rejection, so a caller cannot tell an unknown key from a revoked or expired one.
const invalidApiKey = () => new HubError(401, 'invalid_api_key', 'Missing or invalid API key');

export function toApiKeyView(key: ApiKey): ApiKeyView {
	return {
		id: key.id,
		name: key.name,
		prefix: key.prefix,
		scope: key.scope,
		role: key.role,
		lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
		expiresAt: key.expiresAt?.toISOString() ?? null,
		revokedAt: key.revokedAt?.toISOString() ?? null,
		rotatedAt: key.rotatedAt?.toISOString() ?? null,
		replacedById: key.replacedById,
		createdAt: key.createdAt.toISOString(),
	};
}

const toCreatedKey = (row: ApiKey, key: string): CreatedApiKey => ({
	id: row.id,
	name: row.name,
	prefix: row.prefix,
	role: row.role,
	expiresAt: row.expiresAt?.toISOString() ?? null,
	key,
});

export class ApiKeysService {
	private readonly repository: ApiKeysRepository;
	private readonly clock: Clock;
	private readonly invalidations: CacheInvalidations;
	/** Keyed by the presented key's sha256, never by the plaintext (which a load gets as its context). */
	private readonly authenticated = new HotCache<string, ApiKey, string>({
		ttlMs: AUTHENTICATED_KEY_TTL_MS,
		max: AUTHENTICATED_KEY_CACHE_SIZE,
		load: async (_presentedHash, presentedKey) => {
			const stored = await this.repository.findByPrefix(prefixOf(presentedKey)!);
			if (!stored || !keyMatchesHash(presentedKey, stored.keyHash)) throw invalidApiKey();
			return stored;
		},
	});

	constructor(repository: ApiKeysRepository, clock: Clock, invalidations = new CacheInvalidations()) {
		this.repository = repository;
		this.clock = clock;
		this.invalidations = invalidations;
		invalidations.on((topic, id) => {
			if (topic === 'api_key') this.authenticated.deleteWhere((key) => key.id === id);
		});
	}

	async create(owner: KeyOwner, name: string, expiresAt: Date | null = null, manager?: EntityManager): Promise<CreatedApiKey> {
		const { key, prefix, keyHash } = generateKey();
		const row = await this.repository.insert(
			{
				accountId: owner.scope === 'account' ? owner.accountId : null,
				scope: owner.scope,
				role: owner.scope === 'account' ? owner.role : null,
				name,
				prefix,
				keyHash,
				expiresAt,
			},
			manager,
		);
		return toCreatedKey(row, key);
	}

	async authenticate(presentedKey: string | undefined): Promise<ApiKey> {
		// Malformed keys are refused before the cache or the database sees them.
		if (!presentedKey || !prefixOf(presentedKey)) throw invalidApiKey();
		const row = await this.authenticated.get(hashKey(presentedKey), presentedKey);
		// Checked on every call, cached or not: a key expiring (or a rotated key's grace ending) needs no invalidation.
		const now = this.clock();
		if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now.getTime())) throw invalidApiKey();
		const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
		// Written at most once a minute per key and process; awaited then, so a key's listing shows the call that
		// listed it. The other calls of that minute skip it without a query.
		if (!row.lastUsedAt || row.lastUsedAt < staleBefore) {
			await this.repository.touch(row.id, now, staleBefore);
			row.lastUsedAt = now;
		}
		return row;
	}

	async list(accountId: string): Promise<ApiKeyView[]> {
		return (await this.repository.listForAccount(accountId)).map(toApiKeyView);
	}

	/**
	 * Idempotent: revoking a revoked key succeeds; another account's key is reported as not found. Also ends a rotated
	 * key's grace period at once. `actorRole` must be at least the key's role.
	 */
	async revoke(accountId: string, id: string, actorRole: Role): Promise<void> {
		const row = await this.findManageable(accountId, id, actorRole);
		await this.repository.revoke(row.id, this.clock());
		this.invalidations.invalidate('api_key', row.id);
	}

	/**
	 * A new secret for the key's name, role and expiry, shown once. The old key keeps working for `graceSeconds` so
	 * running deployments can switch over, then answers 401. A key already rotated, revoked or expired is a 409:
	 * rotate its successor instead.
	 */
	async rotate(
		accountId: string,
		id: string,
		actorRole: Role,
		graceSeconds: number,
	): Promise<{ apiKey: CreatedApiKey; replaced: ReplacedApiKey }> {
		const row = await this.findManageable(accountId, id, actorRole);
		const now = this.clock();
		const { key, prefix, keyHash } = generateKey();
		const graceEndsAt = new Date(now.getTime() + graceSeconds * 1000);
		const successor = await this.repository.rotate(
			row.id,
			{ accountId, scope: 'account', role: row.role, name: row.name, prefix, keyHash, expiresAt: row.expiresAt },
			now,
			graceEndsAt,
		);
		if (!successor) {
			throw new HubError(409, 'api_key_not_rotatable', 'Only a live key that was not rotated yet can be rotated');
		}
		// Cached copies still carry the old expiry; dropping them makes the grace period's end apply everywhere.
		this.invalidations.invalidate('api_key', row.id);
		// The old key's own expiry wins when it comes first, as the repository's LEAST() does.
		const oldKeyEndsAt = row.expiresAt && row.expiresAt < graceEndsAt ? row.expiresAt : graceEndsAt;
		return { apiKey: toCreatedKey(successor, key), replaced: { id: row.id, expiresAt: oldKeyEndsAt.toISOString() } };
	}

	private async findManageable(accountId: string, id: string, actorRole: Role): Promise<ApiKey> {
		const row = await this.repository.findForAccount(accountId, id);
		if (!row) throw notFound('api_key');
		if (row.role && !roleAtLeast(actorRole, row.role)) {
			throw new HubError(403, 'insufficient_role', `Managing this key needs the ${row.role} role or higher`);
		}
		return row;
	}
}
