import { Router } from 'express';
import { requireScope } from '../../http/auth';
import { parseInput } from '../../http/validate';
import { routeParams } from './routing.schemas';
import type { RoutingService } from './routing.service';

export function routingRoutes(routing: RoutingService): Router {
	const router = Router();
	router.get('/:provider/:accountExternalId', requireScope('platform'), async (req, res) => {
		const params = parseInput(routeParams, req.params, 'params');
		res.json(await routing.route(params.provider, params.accountExternalId));
	});
	return router;
}
