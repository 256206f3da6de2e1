import { Router } from 'express';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import { claimProviderAccountBody, listProviderAccountsQuery } from './provider-accounts.schemas';
import type { ProviderAccountsService } from './provider-accounts.service';

export function providerAccountsRoutes(providerAccounts: ProviderAccountsService, accounts: AccountsService): Router {
	const router = Router();

	router.post('/', async (req, res) => {
		const body = parseInput(claimProviderAccountBody, req.body, 'body');
		const principal = principalOf(res);
		const account = await accounts.resolveFor(principal, body.accountId);
		// Only the operator claims what no OAuth connection proved; a tenant links agents to what it holds.
		const { providerAccount, created } =
			principal.scope === 'platform' ? await providerAccounts.claim(account.id, body) : await providerAccounts.claimHeld(account.id, body);
		res.status(created ? 201 : 200).json({ providerAccount });
	});

	router.get('/', async (req, res) => {
		const query = parseInput(listProviderAccountsQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json({ providerAccounts: await providerAccounts.list(account.id) });
	});
	return router;
}
