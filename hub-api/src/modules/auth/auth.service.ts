import type { WhoAmIResponse } from '../../../../contracts/hub-api';
import type { Principal } from '../../http/auth';
import type { AccountsService } from '../accounts/accounts.service';

export class AuthService {
	private readonly accounts: AccountsService;

	constructor(accounts: AccountsService) {
		this.accounts = accounts;
	}

	async whoAmI(principal: Principal): Promise<WhoAmIResponse> {
		const account = principal.accountId ? await this.accounts.get(principal.accountId) : null;
		return {
			apiKey: { id: principal.id, name: principal.name, prefix: principal.prefix, scope: principal.scope },
			account: account && { id: account.id, name: account.name, plan: account.plan },
		};
	}
}
