import { IsNull, LessThan, Or, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { type ApiKey, ApiKeyEntity } from './api-key.entity';

export type NewApiKey = Pick<ApiKey, 'accountId' | 'scope' | 'role' | 'name' | 'prefix' | 'keyHash' | 'expiresAt'>;

export class ApiKeysRepository {
	private readonly keys: Repository<ApiKey>;

	constructor(private readonly dataSource: DataSource) {
		this.keys = dataSource.getRepository(ApiKeyEntity);
	}

	/** `manager` lets a caller insert the key in its own transaction (account creation, rotation). */
	insert(key: NewApiKey, manager?: EntityManager): Promise<ApiKey> {
		const repository = manager ? manager.getRepository(ApiKeyEntity) : this.keys;
		return repository.save(
			repository.create({ ...key, lastUsedAt: null, revokedAt: null, rotatedAt: null, replacedById: null }),
		);
	}

	findByPrefix(prefix: string): Promise<ApiKey | null> {
		return this.keys.findOneBy({ prefix });
	}

	findForAccount(accountId: string, id: string): Promise<ApiKey | null> {
		return this.keys.findOneBy({ id, accountId });
	}

	listForAccount(accountId: string): Promise<ApiKey[]> {
		return this.keys.find({ where: { accountId }, order: { createdAt: 'DESC', id: 'DESC' } });
	}

	async revoke(id: string, at: Date): Promise<void> {
		await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: at });
	}

	/**
	 * Replaces a live key by `successor` in one transaction: the old key ends at `graceEndsAt` (or its own earlier
	 * expiry). The conditional UPDATE is the arbiter when two rotations race: only one finds the key unrotated, the
	 * other rolls back and gets null.
	 */
	rotate(id: string, successor: NewApiKey, now: Date, graceEndsAt: Date): Promise<ApiKey | null> {
		return this.dataSource.transaction(async (manager) => {
			const created = await this.insert(successor, manager);
			const [, affected] = (await manager.query(
				`UPDATE api_keys
				 SET rotated_at = $2, replaced_by_id = $3, expires_at = LEAST(COALESCE(expires_at, 'infinity'), $4)
				 WHERE id = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
				[id, now, created.id, graceEndsAt],
			)) as [unknown, number];
			if (affected === 0) {
				// Throwing rolls the successor back with the transaction; the caller turns null into a 409.
				throw new KeyNotRotatable();
			}
			return created;
		}).catch((error: unknown) => {
			if (error instanceof KeyNotRotatable) return null;
			throw error;
		});
	}

	/** Writes at most once per `staleBefore` window per key, so a busy key does not turn every call into a write. */
	async touch(id: string, at: Date, staleBefore: Date): Promise<void> {
		await this.keys.update({ id, lastUsedAt: Or(IsNull(), LessThan(staleBefore)) }, { lastUsedAt: at });
	}
}

class KeyNotRotatable extends Error {}
