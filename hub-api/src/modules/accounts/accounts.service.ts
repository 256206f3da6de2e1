import type { DataSource, EntityManager } from 'typeorm';
import type { PlanId } from '../../../../contracts/hub-api';
import { CacheInvalidations } from '../../cache/cache-invalidations';
import { HotCache } from '../../cache/hot-cache';
import { notFound, validationFailed } from '../../errors';
import type { Principal } from '../auth/principal';
import type { CreatedApiKey } from '../api-keys/api-keys.schemas';
import type { ApiKeysService } from '../api-keys/api-keys.service';
import type { Account } from './account.entity';
import type { AccountsRepository } from './accounts.repository';
import type { AccountView } from './accounts.schemas';

export const toAccountView = (account: Account): AccountView => ({
	id: account.id,
	name: account.name,
	plan: account.plan,
	createdAt: account.createdAt.toISOString(),
});

/**
 * Accounts read by the quota hot path are kept this long in each process. A plan change (billing) drops the entry at
 * once in the process that made it and, over Redis pub/sub, in the other replicas; the TTL bounds how late a replica
 * that missed the message notices.
 */
const HOT_ACCOUNT_TTL_MS = 5_000;
const HOT_ACCOUNT_CACHE_SIZE = 10_000;

export class AccountsService {
	private readonly dataSource: DataSource;
	private readonly repository: AccountsRepository;
	private readonly apiKeys: ApiKeysService;
	/** Keyed by account id; a load resolves it for the principal that asked (`resolveFor`: authorization included). */
	private readonly hotAccounts = new HotCache<string, Account, { principal: Principal; requestedAccountId?: string }>({
		ttlMs: HOT_ACCOUNT_TTL_MS,
		max: HOT_ACCOUNT_CACHE_SIZE,
		load: (_id, { principal, requestedAccountId }) => this.resolveFor(principal, requestedAccountId),
	});

	constructor(
		dataSource: DataSource,
		repository: AccountsRepository,
		apiKeys: ApiKeysService,
		invalidations = new CacheInvalidations(),
	) {
		this.dataSource = dataSource;
		this.repository = repository;
		this.apiKeys = apiKeys;
		invalidations.on((topic, id) => {
			if (topic === 'account') this.hotAccounts.delete(id);
		});
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

	/**
	 * resolveFor for the per-DM hot path (quota consumes): the account comes from the in-process cache when it was read
	 * in the last few seconds. Only for routes that read the account (its plan), never for ones that change it.
	 */
	async resolveCachedFor(principal: Principal, requestedAccountId: string | undefined): Promise<Account> {
		// The id the call acts for is the cache key: an account key's own account, or the one a platform key names. Any
		// principal asking for that id may see it, so calls sharing one load (or one entry) are all entitled to it.
		const id = principal.accountId ?? requestedAccountId;
		if (id === undefined) return this.resolveFor(principal, requestedAccountId);
		return this.hotAccounts.get(id, { principal, requestedAccountId });
	}
}
