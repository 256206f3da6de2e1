import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { PlanId } from '../../../../contracts/hub-api';
import { type Account, AccountEntity } from './account.entity';

export class AccountsRepository {
	private readonly accounts: Repository<Account>;

	constructor(dataSource: DataSource) {
		this.accounts = dataSource.getRepository(AccountEntity);
	}

	insert(account: { name: string; plan: PlanId }, manager: EntityManager): Promise<Account> {
		const repository = manager.getRepository(AccountEntity);
		return repository.save(repository.create(account));
	}

	findById(id: string): Promise<Account | null> {
		return this.accounts.findOneBy({ id });
	}
}
