import { z } from 'zod';
import { PLAN_IDS, ROUTE_INACTIVE_REASONS, type RouteResponse } from '../../../../contracts/hub-api';
import type { Expect, MatchesContract } from '../../contract-check';
import { externalId, provider } from '../provider-accounts/provider-accounts.schemas';

export const routeParams = z.object({ provider, accountExternalId: externalId });

/** What GET /api/routing/{provider}/{accountExternalId} answers, read by the SkyBot node's route operation. */
export const routeAnswer = z.object({
	provider,
	accountExternalId: z.string(),
	accountId: z.uuid(),
	agentId: z.uuid().nullable(),
	plan: z.enum(PLAN_IDS),
	active: z.boolean(),
	inactiveReason: z.enum(ROUTE_INACTIVE_REASONS).nullable(),
});

/** The documented answer and the wire contract the SkyBot node reads must not drift apart. */
export type RouteAnswerMatchesContract = Expect<MatchesContract<typeof routeAnswer, RouteResponse>>;
