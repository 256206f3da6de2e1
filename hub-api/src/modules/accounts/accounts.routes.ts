import { Router } from 'express';
import { requireScope } from '../../http/auth';
import { parseInput } from '../../http/validate';
import { createAccountBody } from './accounts.schemas';
import type { AccountsService } from './accounts.service';

/** Tenant onboarding by the operator (platform key) until self-registration exists. */
export function accountsRoutes(accounts: AccountsService): Router {
	const router = Router();
	router.post('/', requireScope('platform'), async (req, res) => {
		const body = parseInput(createAccountBody, req.body, 'body');
		res.status(201).json(await accounts.create(body.name, body.plan));
	});
	return router;
}
