import express, { type RequestHandler, Router } from 'express';
import { ownAccountId, principalOf, requireRole, requireScope } from '../../http/auth';
import { HubError } from '../../errors';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import type { QuotasService } from '../quotas/quotas.service';
import { checkoutBody, portalBody, usageQuery } from './billing.schemas';
import type { BillingService } from './billing.service';

const notConfigured = () =>
	new HubError(503, 'billing_not_configured', 'Billing is not configured on this hub (STRIPE_SECRET_KEY is unset)');

/** Authenticated billing routes; `billing` is null when Stripe is not configured (usage still works). */
export function billingRoutes(
	billing: BillingService | null,
	quotas: QuotasService,
	accounts: AccountsService,
): Router {
	const router = Router();

	router.get('/usage', async (req, res) => {
		const query = parseInput(usageQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json(await quotas.usage(account));
	});

	// Only the tenant itself (its owner) buys or manages its subscription, never the operator's platform key.
	const owner = [requireScope('account'), requireRole('owner')];
	router.post('/checkout', ...owner, async (req, res) => {
		if (!billing) throw notConfigured();
		const body = parseInput(checkoutBody, req.body, 'body');
		const account = await accounts.get(ownAccountId(res));
		res.status(201).json(await billing.checkout(account, body));
	});

	router.post('/portal', ...owner, async (req, res) => {
		if (!billing) throw notConfigured();
		const body = parseInput(portalBody, req.body, 'body');
		const account = await accounts.get(ownAccountId(res));
		res.status(201).json(await billing.portal(account, body.returnUrl));
	});
	return router;
}

/**
 * POST /api/billing/webhook, mounted before express.json: Stripe signs the exact bytes it sent, so the body is kept
 * raw (any content type) and parsed only after the signature checks out.
 */
export function stripeWebhookRoute(billing: BillingService | null, bodyLimit: string): RequestHandler[] {
	return [
		express.raw({ type: () => true, limit: bodyLimit }),
		async (req, res) => {
			// Unsigned is malformed whatever this hub's configuration; only a signed delivery learns billing is off.
			const signature = req.get('stripe-signature');
			if (!signature) throw new HubError(400, 'missing_signature', 'Stripe-Signature header is missing');
			if (!billing) throw notConfigured();
			const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
			res.json(await billing.receiveWebhook(rawBody, signature));
		},
	];
}
