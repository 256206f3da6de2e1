import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import {
	checkoutBody,
	checkoutResponse,
	portalBody,
	portalResponse,
	usageQuery,
	usageResponse,
	webhookResponse,
} from './billing.schemas';

export function registerBillingOpenApi(registry: OpenAPIRegistry): void {
	const docs = documentRoutes(registry, 'billing');
	docs.get(
		'/api/billing/usage',
		"Today's DM count, the plan's limit and when it resets (the figures of /api/quotas/consume, nothing consumed)",
		{
			...authenticated('viewer'),
			request: { query: usageQuery },
			responses: { 200: answer('Usage', usageResponse), ...errors(401, 403, 404, 422, 429, 503) },
		},
	);
	docs.post('/api/billing/checkout', 'A Stripe Checkout Session subscribing the account to a plan (redirect the person to `url`)', {
		...authenticated('owner'),
		request: { body: { content: json(checkoutBody) } },
		responses: {
			201: answer('Checkout Session', checkoutResponse),
			...errors(401, 403, 409, 422, 429, 503),
			502: answer('Stripe refused the request', z.object({ error: z.unknown() })),
		},
	});
	docs.post('/api/billing/portal', 'A Stripe Customer Portal session (change plan, payment method, cancel)', {
		...authenticated('owner'),
		request: { body: { content: json(portalBody) } },
		responses: { 201: answer('Portal session', portalResponse), ...errors(401, 403, 409, 422, 429, 503) },
	});
	docs.post(
		'/api/billing/webhook',
		'Stripe webhook endpoint: signature checked on the raw body (300 s tolerance), event stored, then processed',
		{
			security: [],
			request: {
				headers: z.object({ 'stripe-signature': z.string() }),
				body: { content: json(z.record(z.string(), z.unknown())) },
			},
			responses: { 200: answer('Stored (duplicate: already received)', webhookResponse), ...errors(400, 413, 503) },
		},
	);
}
