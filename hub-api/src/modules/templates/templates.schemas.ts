import { z } from 'zod';
import { AGENT_TYPES } from './template-catalogue';

export const listTemplatesQuery = z.object({
	category: z.enum(AGENT_TYPES).optional(),
	premium: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
});

export const templateSlugParams = z.object({ slug: z.string().min(1).max(100) });
