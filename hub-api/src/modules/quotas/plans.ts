import type { PlanId } from '../../../../contracts/hub-api';
import type { StripePriceIds } from '../../config';

export const BILLING_INTERVALS = ['month', 'year'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

export interface Plan {
	id: PlanId;
	name: string;
	/** Answered DMs per UTC day; null means unlimited. */
	dailyDms: number | null;
	/** Agents an account may have at once (active or paused). */
	maxAgents: number;
	/** Model requests per minute, shared by every n8n worker and hub replica (POST /api/ai/permits). */
	aiRequestsPerMinute: number;
	/** Price per interval in euro cents; an interval absent here cannot be bought. Freemium has none. */
	priceCents: Partial<Record<BillingInterval, number>>;
	/** Higher wins when an account somehow holds two paid subscriptions. */
	rank: number;
}

/** The product brief's limit: 60 model requests per minute per account, unless a plan says otherwise. */
export const DEFAULT_AI_REQUESTS_PER_MINUTE = 60;

/**
 * The plan catalogue: the single source of truth for what each plan costs and allows. Quotas, agent creation,
 * usage, AI permits, Checkout and the webhook all read it; Stripe price ids are configuration (see `StripePriceIds`), because
 * they differ between Stripe's test and live modes.
 */
export const PLANS: Record<PlanId, Plan> = {
	freemium: {
		id: 'freemium',
		name: 'Freemium',
		dailyDms: 10,
		maxAgents: 2,
		aiRequestsPerMinute: DEFAULT_AI_REQUESTS_PER_MINUTE,
		priceCents: {},
		rank: 0,
	},
	premium: {
		id: 'premium',
		name: 'Premium',
		dailyDms: 100,
		maxAgents: 5,
		aiRequestsPerMinute: DEFAULT_AI_REQUESTS_PER_MINUTE,
		priceCents: { month: 1499 },
		rank: 1,
	},
	ultra: {
		id: 'ultra',
		name: 'Ultra',
		dailyDms: null,
		maxAgents: 20,
		// Unlimited DMs: this is the plan whose tenants can actually reach the per-minute limit.
		aiRequestsPerMinute: 2 * DEFAULT_AI_REQUESTS_PER_MINUTE,
		priceCents: { month: 2999, year: 29900 },
		rank: 2,
	},
};

/** Answered DMs per UTC day; null means unlimited (Ultra). */
export const DAILY_DM_LIMITS: Record<PlanId, number | null> = {
	freemium: PLANS.freemium.dailyDms,
	premium: PLANS.premium.dailyDms,
	ultra: PLANS.ultra.dailyDms,
};

export type PaidPlanId = Exclude<PlanId, 'freemium'>;

export function priceIdFor(prices: StripePriceIds, plan: PaidPlanId, interval: BillingInterval): string | undefined {
	if (plan === 'premium') return interval === 'month' ? prices.premiumMonthly : undefined;
	return interval === 'month' ? prices.ultraMonthly : prices.ultraYearly;
}

/** The plan a Stripe Price grants, or undefined for a price this hub does not sell. */
export function planForPrice(prices: StripePriceIds, priceId: string | null | undefined): PaidPlanId | undefined {
	if (!priceId) return undefined;
	if (priceId === prices.premiumMonthly) return 'premium';
	if (priceId === prices.ultraMonthly || priceId === prices.ultraYearly) return 'ultra';
	return undefined;
}
