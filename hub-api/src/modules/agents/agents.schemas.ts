import { z } from 'zod';

export const createAgentBody = z.object({
	name: z.string().trim().min(1).max(200),
	/** Required with a platform key, ignored with an account key. */
	accountId: z.uuid().optional(),
});

export const listAgentsQuery = z.object({ accountId: z.uuid().optional() });
