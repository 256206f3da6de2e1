import { z } from 'zod';
import { PLAN_IDS } from '../../../../contracts/hub-api';
import type { Expect, MatchesContract } from '../../contract-check';
import { BILLING_INTERVALS } from '../quotas/plans';
import type { QuotaUsage } from '../quotas/quotas.service';

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);

/** The account comes from the caller, never from the body (unknown keys are stripped). */
export const checkoutBody = z
	.object({
		plan: z.enum(['premium', 'ultra']),
		interval: z.enum(BILLING_INTERVALS).default('month'),
		successUrl: httpUrl,
		cancelUrl: httpUrl,
	})
	.strip();
export type CheckoutRequest = z.output<typeof checkoutBody>;

export const portalBody = z.object({ returnUrl: httpUrl }).strip();

export const usageQuery = z.object({ accountId: z.uuid().optional() }).strip();

// The answers; the service's types derive from them.
export const checkoutResponse = z.object({ id: z.string(), url: z.string().nullable() });
export type CheckoutSession = z.output<typeof checkoutResponse>;
export const portalResponse = z.object({ url: z.string() });
export type PortalSession = z.output<typeof portalResponse>;
export const webhookResponse = z.object({ received: z.literal(true), duplicate: z.boolean() });
export type WebhookReceipt = z.output<typeof webhookResponse>;

/** GET /api/billing/usage answers the quota figures a consume reports (QuotasService.usage). */
export const usageResponse = z.object({
	plan: z.enum(PLAN_IDS),
	used: z.number().int(),
	limit: z.number().int().nullable(),
	remaining: z.number().int().nullable(),
	resetAt: z.iso.datetime(),
});
export type UsageResponseMatchesQuotaUsage = Expect<MatchesContract<typeof usageResponse, QuotaUsage>>;
