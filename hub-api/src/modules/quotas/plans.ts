import type { PlanId } from '../../../../contracts/hub-api';

/** Answered DMs per UTC day; null means unlimited (Ultra). */
export const DAILY_DM_LIMITS: Record<PlanId, number | null> = {
	freemium: 10,
	premium: 100,
	ultra: null,
};
