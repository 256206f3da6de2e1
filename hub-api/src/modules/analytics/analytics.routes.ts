import { Router } from 'express';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import { agentStatsParams, agentStatsQuery, costsQuery, overviewQuery } from './analytics.schemas';
import type { AnalyticsService } from './analytics.service';

/** Mounted under /api/analytics. */
export function analyticsRoutes(analytics: AnalyticsService, accounts: AccountsService): Router {
	const router = Router();

	router.get('/overview', async (req, res) => {
		const query = parseInput(overviewQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json(await analytics.overview(account.id));
	});

	router.get('/costs', async (req, res) => {
		const query = parseInput(costsQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json(await analytics.costs(account.id, query.period));
	});
	return router;
}

/** Mounted under /api/agents next to the agents routes: GET /api/agents/:id/stats?period=7d|4w|3m. */
export function agentStatsRoutes(analytics: AnalyticsService, accounts: AccountsService): Router {
	const router = Router();
	router.get('/:id/stats', async (req, res) => {
		const { id } = parseInput(agentStatsParams, req.params, 'params');
		const query = parseInput(agentStatsQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json(await analytics.agentStats(account.id, id, query.period));
	});
	return router;
}
