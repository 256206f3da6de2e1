import { z } from 'zod';
import { PLAN_IDS } from '../../../../contracts/hub-api';
import { BILLING_INTERVALS } from '../quotas/plans';

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

export const portalBody = z.object({ returnUrl: httpUrl }).strip();

export const usageQuery = z.object({ accountId: z.uuid().optional() }).strip();

export const checkoutResponse = z.object({ id: z.string(), url: z.string().nullable() });
export const portalResponse = z.object({ url: z.string() });
export const usageResponse = z.object({
	plan: z.enum(PLAN_IDS),
	used: z.number().int(),
	limit: z.number().int().nullable(),
	remaining: z.number().int().nullable(),
	resetAt: z.iso.datetime(),
});
export const webhookResponse = z.object({ received: z.literal(true), duplicate: z.boolean() });
