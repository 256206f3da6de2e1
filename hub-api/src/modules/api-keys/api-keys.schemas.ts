import { z } from 'zod';
import { ROLES } from '../users/roles';

export const apiKeyName = z.string().trim().min(1).max(100);

// Unknown keys (`accountId`, `scope`, …) are stripped: a key always belongs to the caller's account.
export const createApiKeyBody = z.object({
	name: apiKeyName,
	expiresAt: z.iso.datetime({ offset: true }).optional(),
	/** At most the creator's own role. */
	role: z.enum(ROLES).default('member'),
});

export const apiKeyIdParams = z.object({ id: z.uuid() });
