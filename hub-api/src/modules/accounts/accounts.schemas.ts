import { z } from 'zod';
import { PLAN_IDS } from '../../../../contracts/hub-api';

export const accountName = z.string().trim().min(1).max(200);

export const createAccountBody = z.object({
	name: accountName,
	plan: z.enum(PLAN_IDS).optional(),
});
