import { type RequestHandler, Router } from 'express';
import type { EntityManager } from 'typeorm';
import { principalOf, requireRole } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import type { AgentDeploymentsService, AgentLimit } from './agent-deployments.service';
import {
	accountQuery,
	type AgentDetailView,
	agentIdParams,
	createAgentBody,
	createFromTemplateBody,
	listAgentsQuery,
	retryAgentBody,
} from './agents.schemas';
import type { AgentsService } from './agents.service';

/** `agentLimit` (the plan's agent count) guards every agent creation; `deployments` runs the template routes. */
export function agentsRoutes(
	agents: AgentsService,
	accounts: AccountsService,
	agentLimit: AgentLimit,
	deployments: AgentDeploymentsService,
): Router {
	const router = Router();

	router.post('/', async (req, res) => {
		const body = parseInput(createAgentBody, req.body, 'body');
		const account = await accounts.resolveFor(principalOf(res), body.accountId);
		const create = (manager?: EntityManager) => agents.create(account.id, body.name, manager);
		res.status(201).json({ agent: await agentLimit.withinAgentLimit(account, create) });
	});

	router.get('/', async (req, res) => {
		const query = parseInput(listAgentsQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json({ agents: await agents.list(account.id, { status: query.status, type: query.type }) });
	});

	// Installing, switching and removing agents is account administration (it spends the plan and runs code).
	const admin = requireRole('admin');

	router.post('/from-template', admin, async (req, res) => {
		const body = parseInput(createFromTemplateBody, req.body, 'body');
		const account = await accounts.resolveFor(principalOf(res), body.accountId);
		res.status(201).json({ agent: await deployments.deployFromTemplate(account, body) });
	});

	/** The account an :id route acts in; another account's agent is then simply not found (404). */
	const accountFor = async (query: unknown, res: Parameters<typeof principalOf>[0]) =>
		(await accounts.resolveFor(principalOf(res), parseInput(accountQuery, query, 'query').accountId)).id;

	/** A route reading or changing the agent :id of that account, answering the agent as it then is. */
	const onAgent =
		(operation: (accountId: string, id: string) => Promise<AgentDetailView>): RequestHandler =>
		async (req, res) => {
			const { id } = parseInput(agentIdParams, req.params, 'params');
			res.json({ agent: await operation(await accountFor(req.query, res), id) });
		};

	router.get('/:id', onAgent((accountId, id) => agents.get(accountId, id)));
	router.put('/:id/toggle', admin, onAgent((accountId, id) => deployments.toggle(accountId, id)));

	router.post('/:id/retry', admin, async (req, res) => {
		const { id } = parseInput(agentIdParams, req.params, 'params');
		const body = parseInput(retryAgentBody, req.body ?? {}, 'body');
		const accountId = (await accounts.resolveFor(principalOf(res), body.accountId)).id;
		res.json({ agent: await deployments.retry(accountId, id, body.config) });
	});

	router.post('/:id/upgrade', admin, onAgent((accountId, id) => deployments.upgrade(accountId, id)));
	router.post('/:id/rollback', admin, onAgent((accountId, id) => deployments.rollback(accountId, id)));

	router.delete('/:id', admin, async (req, res) => {
		const { id } = parseInput(agentIdParams, req.params, 'params');
		await deployments.remove(await accountFor(req.query, res), id);
		res.status(204).end();
	});
	return router;
}
