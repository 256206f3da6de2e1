import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { authenticated, errors, json } from '../../http/openapi';
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
	const tags = ['billing'];
	registry.registerPath({
		method: 'get',
		path: '/api/billing/usage',
		tags,
		summary: "Today's DM count, the plan's limit and when it resets (the figures of /api/quotas/consume, nothing consumed)",
		...authenticated('viewer'),
		request: { query: usageQuery },
		responses: { 200: { description: 'Usage', content: json(usageResponse) }, ...errors(401, 403, 404, 422, 429, 503) },
	});
	registry.registerPath({
		method: 'post',
		path: '/api/billing/checkout',
		tags,
		summary: 'A Stripe Checkout Session subscribing the account to a plan (redirect the person to `url`)',
		...authenticated('owner'),
		request: { body: { content: json(checkoutBody) } },
		responses: {
			201: { description: 'Checkout Session', content: json(checkoutResponse) },
			...errors(401, 403, 409, 422, 429, 503),
			502: { description: 'Stripe refused the request', content: json(z.object({ error: z.unknown() })) },
		},
	});
	registry.registerPath({
		method: 'post',
		path: '/api/billing/portal',
		tags,
		summary: 'A Stripe Customer Portal session (change plan, payment method, cancel)',
		...authenticated('owner'),
		request: { body: { content: json(portalBody) } },
		responses: {
			201: { description: 'Portal session', content: json(portalResponse) },
			...errors(401, 403, 409, 422, 429, 503),
		},
	});
	registry.registerPath({
		method: 'post',
		path: '/api/billing/webhook',
		tags,
		summary: 'Stripe webhook endpoint: signature checked on the raw body (300 s tolerance), event stored, then processed',
		security: [],
		request: {
			headers: z.object({ 'stripe-signature': z.string() }),
			body: { content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
		},
		responses: {
			200: { description: 'Stored (duplicate: already received)', content: json(webhookResponse) },
			...errors(400, 413, 503),
		},
	});
}
