import { z } from 'zod';

export const apiKeyName = z.string().trim().min(1).max(100);

export const createApiKeyBody = z.object({
	name: apiKeyName,
	expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const apiKeyIdParams = z.object({ id: z.uuid() });
