import type { EntityManager } from 'typeorm';
import type { ApiKeyScope } from '../../../../contracts/hub-api';
import type { Clock } from '../../clock';
import { HubError, notFound } from '../../errors';
import type { ApiKey } from './api-key.entity';
import { generateKey, keyMatchesHash, prefixOf } from './api-key-secret';
import type { ApiKeysRepository } from './api-keys.repository';

/** How a key is shown after creation: everything but the secret and its hash. */
export interface ApiKeyView {
	id: string;
	name: string;
	prefix: string;
	scope: ApiKeyScope;
	lastUsedAt: string | null;
	expiresAt: string | null;
	revokedAt: string | null;
	createdAt: string;
}

/** Returned exactly once, when the key is created; `key` is the only copy of the plaintext anywhere. */
export interface CreatedApiKey {
	id: string;
	name: string;
	prefix: string;
	key: string;
}

const LAST_USED_RESOLUTION_MS = 60_000;

// One answer for every rejection, so a caller cannot tell an unknown key from a revoked or expired one.
const invalidApiKey = () => new HubError(401, 'invalid_api_key', 'Missing or invalid API key');

export function toApiKeyView(key: ApiKey): ApiKeyView {
	return {
		id: key.id,
		name: key.name,
		prefix: key.prefix,
		scope: key.scope,
		lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
		expiresAt: key.expiresAt?.toISOString() ?? null,
		revokedAt: key.revokedAt?.toISOString() ?? null,
		createdAt: key.createdAt.toISOString(),
	};
}

export class ApiKeysService {
	private readonly repository: ApiKeysRepository;
	private readonly clock: Clock;

	constructor(repository: ApiKeysRepository, clock: Clock) {
		this.repository = repository;
		this.clock = clock;
	}

	async create(
		owner: { scope: 'platform' } | { scope: 'account'; accountId: string },
		name: string,
		expiresAt: Date | null = null,
		manager?: EntityManager,
	): Promise<CreatedApiKey> {
		const { key, prefix, keyHash } = generateKey();
		const row = await this.repository.insert(
			{
				accountId: owner.scope === 'account' ? owner.accountId : null,
				scope: owner.scope,
				name,
				prefix,
				keyHash,
				expiresAt,
			},
			manager,
		);
		return { id: row.id, name: row.name, prefix: row.prefix, key };
	}

	async authenticate(presentedKey: string | undefined): Promise<ApiKey> {
		const prefix = presentedKey ? prefixOf(presentedKey) : null;
		if (!presentedKey || !prefix) throw invalidApiKey();
		const row = await this.repository.findByPrefix(prefix);
		if (!row || !keyMatchesHash(presentedKey, row.keyHash)) throw invalidApiKey();
		const now = this.clock();
		if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now.getTime())) throw invalidApiKey();
		await this.repository.touch(row.id, now, new Date(now.getTime() - LAST_USED_RESOLUTION_MS));
		return row;
	}

	async list(accountId: string): Promise<ApiKeyView[]> {
		return (await this.repository.listForAccount(accountId)).map(toApiKeyView);
	}

	/** Idempotent: revoking a revoked key succeeds; another account's key is reported as not found. */
	async revoke(accountId: string, id: string): Promise<void> {
		const row = await this.repository.findForAccount(accountId, id);
		if (!row) throw notFound('api_key');
		await this.repository.revoke(row.id, this.clock());
	}
}
