import { type Response, Router } from 'express';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import { accountQuery, agentIdParams } from '../agents/agents.schemas';
import type { ScenarioAuthor } from './scenarios.schemas';
import { putScenarioBody } from './scenarios.schemas';
import type { ScenariosService } from './scenarios.service';

/** Who saves a version, as it records it. */
function authorOf(res: Response): ScenarioAuthor {
	const principal = principalOf(res);
	return principal.kind === 'user'
		? { userId: principal.userId, apiKeyId: null }
		: { userId: null, apiKeyId: principal.apiKey.id };
}

/**
 * Mounted on /agents beside the agents' own routes. Reading needs viewer, saving member (the floor app.ts mounts
 * with): writing a scenario is operating the agent, like handing a conversation over. `?accountId=` names the
 * account with a platform key, as on the other /agents/:id routes; another account's agent is not found (404).
 */
export function scenariosRoutes(scenarios: ScenariosService, accounts: AccountsService): Router {
	const router = Router();
	const accountOf = async (query: unknown, res: Response) =>
		(await accounts.resolveFor(principalOf(res), parseInput(accountQuery, query, 'query').accountId)).id;

	router.get('/:id/scenario', async (req, res) => {
		const { id } = parseInput(agentIdParams, req.params, 'params');
		res.json(await scenarios.get(await accountOf(req.query, res), id));
	});

	router.put('/:id/scenario', async (req, res) => {
		const { id } = parseInput(agentIdParams, req.params, 'params');
		const accountId = await accountOf(req.query, res);
		const { scenario } = parseInput(putScenarioBody, req.body ?? {}, 'body');
		res.json(await scenarios.put(accountId, id, scenario, authorOf(res)));
	});
	return router;
}
