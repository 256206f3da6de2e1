import { IsNull, LessThan, Or, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { type ApiKey, ApiKeyEntity } from './api-key.entity';

export type NewApiKey = Pick<ApiKey, 'accountId' | 'scope' | 'name' | 'prefix' | 'keyHash' | 'expiresAt'>;

export class ApiKeysRepository {
	private readonly keys: Repository<ApiKey>;

	constructor(dataSource: DataSource) {
		this.keys = dataSource.getRepository(ApiKeyEntity);
	}

	/** `manager` lets a caller insert the key in its own transaction (account creation). */
	insert(key: NewApiKey, manager?: EntityManager): Promise<ApiKey> {
		const repository = manager ? manager.getRepository(ApiKeyEntity) : this.keys;
		return repository.save(repository.create({ ...key, lastUsedAt: null, revokedAt: null }));
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

	/** Writes at most once per `staleBefore` window per key, so a busy key does not turn every call into a write. */
	async touch(id: string, at: Date, staleBefore: Date): Promise<void> {
		await this.keys.update({ id, lastUsedAt: Or(IsNull(), LessThan(staleBefore)) }, { lastUsedAt: at });
	}
}
