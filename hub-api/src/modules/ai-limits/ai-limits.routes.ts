import { Router } from 'express';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import { HubError } from '../../errors';
import type { AccountsService } from '../accounts/accounts.service';
import { aiContextBody, aiPermitBody } from './ai-limits.schemas';
import type { AiLimitsService } from './ai-limits.service';

/** The reply step's calls before each model request (member floor, as app.ts mounts it): a permit, the context. */
export function aiLimitsRoutes(limits: AiLimitsService, accounts: AccountsService): Router {
	const router = Router();

	router.post('/permits', async (req, res) => {
		const body = parseInput(aiPermitBody, req.body, 'body');
		// Once per model call: the plan comes from the same 5 s cache as the quota consume, cleared on a plan change.
		const account = await accounts.resolveCachedFor(principalOf(res), body.accountId);
		try {
			res.json(await limits.takePermit(account));
		} catch (error) {
			if (error instanceof HubError && error.status === 503) res.setHeader('Retry-After', '5');
			throw error;
		}
	});

	router.post('/context', async (req, res) => {
		const { accountId, ...request } = parseInput(aiContextBody, req.body, 'body');
		const account = await accounts.resolveCachedFor(principalOf(res), accountId);
		res.json(await limits.context(account.id, request));
	});
	return router;
}
