import { z } from 'zod';
import { AGENT_TYPES } from './template-catalogue';

export const listTemplatesQuery = z.object({
	category: z.enum(AGENT_TYPES).optional(),
	premium: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
});

export const templateSlugParams = z.object({ slug: z.string().min(1).max(100) });

/** A template as the catalogue answers it (the OpenAPI component `Template`); `TemplateView` is derived from it. */
export const templateView = z.object({
	slug: z.string(),
	name: z.string(),
	description: z.string(),
	category: z.enum(AGENT_TYPES),
	version: z.string(),
	icon: z.string(),
	useCases: z.array(z.string()),
	premium: z.boolean(),
	/** n8n credentials an install creates for the agent (their data comes from the configuration). */
	requiredCredentials: z.array(z.object({ key: z.string(), type: z.string(), name: z.string() })),
	configSchema: z
		.record(z.string(), z.unknown())
		.describe('JSON Schema (draft-07) of `config` for POST /api/agents/from-template; `writeOnly` fields are secrets'),
});
export type TemplateView = z.output<typeof templateView>;
