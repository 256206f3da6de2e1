import type { RequestHandler } from 'express';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import { consumeQuotaBody } from './quotas.schemas';
import type { QuotasService } from './quotas.service';

/**
 * POST /api/quotas/consume, called by the pipeline once per DM. A handler rather than a router: app.ts mounts it as
 * one route on the app itself (see there).
 */
export function consumeQuotaRoute(quotas: QuotasService, accounts: AccountsService): RequestHandler {
	return async (req, res) => {
		const body = parseInput(consumeQuotaBody, req.body, 'body');
		// The plan changes rarely and a change invalidates the cache at once: a consume per DM needs no SQL.
		const account = await accounts.resolveCachedFor(principalOf(res), body.accountId);
		res.json(await quotas.consume(account, body.messageId, body.conversationId));
	};
}
