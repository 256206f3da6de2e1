import type { DataSource, EntityManager } from 'typeorm';
import type { PlanId } from '../../../../contracts/hub-api';
import { notFound } from '../../errors';
import type { Principal } from '../../http/auth';
import { validationFailed } from '../../http/validate';
import type { ApiKeysService, CreatedApiKey } from '../api-keys/api-keys.service';
import type { Account } from './account.entity';
import type { AccountsRepository } from './accounts.repository';

export interface AccountView {
	id: string;
	name: string;
	plan: PlanId;
	createdAt: string;
}

export const toAccountView = (account: Account): AccountView => ({
	id: account.id,
	name: account.name,
	plan: account.plan,
	createdAt: account.createdAt.toISOString(),
});

export class AccountsService {
	private readonly dataSource: DataSource;
	private readonly repository: AccountsRepository;
	private readonly apiKeys: ApiKeysService;

	constructor(dataSource: DataSource, repository: AccountsRepository, apiKeys: ApiKeysService) {
		this.dataSource = dataSource;
		this.repository = repository;
		this.apiKeys = apiKeys;
	}

	/**
	 * Tenant onboarding: the account and its first key commit together, so there is never a tenant without a key.
	 * That key is the tenant's root credential until people register, hence the owner role.
	 * `manager` joins a caller's transaction (the CLI seeds account, agent and routing in one).
	 */
	async create(
		name: string,
		plan: PlanId = 'freemium',
		manager?: EntityManager,
	): Promise<{ account: AccountView; apiKey: CreatedApiKey }> {
		if (!manager) return this.dataSource.transaction((transaction) => this.create(name, plan, transaction));
		const account = await this.repository.insert({ name, plan }, manager);
		const apiKey = await this.apiKeys.create(
			{ scope: 'account', accountId: account.id, role: 'owner' },
			'default',
			null,
			manager,
		);
		return { account: toAccountView(account), apiKey };
	}

	async get(id: string): Promise<Account> {
		const account = await this.repository.findById(id);
		if (!account) throw notFound('account');
		return account;
	}

	/**
	 * The account a machine call acts for: an account key always acts for its own account (a body/query accountId is
	 * ignored); a platform key, shared by the whole pipeline, must name the account.
	 */
	async resolveFor(principal: Principal, requestedAccountId: string | undefined): Promise<Account> {
		if (principal.accountId) return this.get(principal.accountId);
		if (!requestedAccountId) {
			throw validationFailed([{ path: 'accountId', message: 'Required with a platform API key', code: 'required' }]);
		}
		return this.get(requestedAccountId);
	}
}
