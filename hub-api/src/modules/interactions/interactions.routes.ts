import { Router } from 'express';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import { listInteractionsQuery, logInteractionBody } from './interactions.schemas';
import type { InteractionsService } from './interactions.service';

export function interactionsRoutes(interactions: InteractionsService, accounts: AccountsService): Router {
	const router = Router();

	/** 201 for a new row; 200 for a repeat, whether it was kept (duplicate: true) or replaced a `failed` row. */
	router.post('/', async (req, res) => {
		const body = parseInput(logInteractionBody, req.body, 'body');
		const account = await accounts.resolveFor(principalOf(res), body.accountId);
		const { interaction, outcome } = await interactions.log(account.id, body);
		res.status(outcome === 'inserted' ? 201 : 200).json(interaction);
	});

	router.get('/', async (req, res) => {
		const query = parseInput(listInteractionsQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json(await interactions.list(account.id, query));
	});
	return router;
}
