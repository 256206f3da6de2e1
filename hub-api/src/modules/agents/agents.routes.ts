import { Router } from 'express';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import type { PlanLimitsService } from '../billing/plan-limits.service';
import { createAgentBody, listAgentsQuery } from './agents.schemas';
import type { AgentsService } from './agents.service';

export function agentsRoutes(agents: AgentsService, accounts: AccountsService, planLimits: PlanLimitsService): Router {
	const router = Router();

	router.post('/', async (req, res) => {
		const body = parseInput(createAgentBody, req.body, 'body');
		const account = await accounts.resolveFor(principalOf(res), body.accountId);
		// The plan's agent limit is checked and the agent inserted in one transaction (see assertCanCreateAgent).
		const agent = await planLimits.withinAgentLimit(account, (manager) => agents.create(account.id, body.name, manager));
		res.status(201).json({ agent });
	});

	router.get('/', async (req, res) => {
		const query = parseInput(listAgentsQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json({ agents: await agents.list(account.id) });
	});
	return router;
}
