import { Router } from 'express';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import { createAgentBody, listAgentsQuery } from './agents.schemas';
import type { AgentsService } from './agents.service';

export function agentsRoutes(agents: AgentsService, accounts: AccountsService): Router {
	const router = Router();

	router.post('/', async (req, res) => {
		const body = parseInput(createAgentBody, req.body, 'body');
		const account = await accounts.resolveFor(principalOf(res), body.accountId);
		res.status(201).json({ agent: await agents.create(account.id, body.name) });
	});

	router.get('/', async (req, res) => {
		const query = parseInput(listAgentsQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json({ agents: await agents.list(account.id) });
	});
	return router;
}
