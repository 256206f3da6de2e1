import { z } from 'zod';
import { PLAN_IDS } from '../../../../contracts/hub-api';

export const accountName = z.string().trim().min(1).max(200);

export const createAccountBody = z.object({
	name: accountName,
	plan: z.enum(PLAN_IDS).optional(),
});

/** A tenant as the hub answers it (the OpenAPI component `Account`); `AccountView` is derived from it. */
export const accountView = z.object({
	id: z.uuid(),
	name: z.string(),
	plan: z.enum(PLAN_IDS),
	createdAt: z.iso.datetime(),
});
export type AccountView = z.output<typeof accountView>;
