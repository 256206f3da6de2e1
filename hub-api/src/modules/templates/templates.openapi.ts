import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, authenticated, documentRoutes, errors } from '../../http/openapi';
import { AGENT_TYPES } from './template-catalogue';
import { listTemplatesQuery, templateSlugParams } from './templates.schemas';

const templateViewSchema = z.object({
	slug: z.string(),
	name: z.string(),
	description: z.string(),
	category: z.enum(AGENT_TYPES),
	version: z.string(),
	icon: z.string(),
	useCases: z.array(z.string()),
	premium: z.boolean(),
	requiredCredentials: z.array(z.object({ key: z.string(), type: z.string(), name: z.string() })),
	configSchema: z
		.record(z.string(), z.unknown())
		.describe('JSON Schema (draft-07) of `config` for POST /api/agents/from-template; `writeOnly` fields are secrets'),
});

export function registerTemplatesOpenApi(registry: OpenAPIRegistry): void {
	const template = registry.register('Template', templateViewSchema);
	const docs = documentRoutes(registry, 'templates');
	docs.get('/api/templates', 'The template catalogue (loaded at start-up), optionally by category and premium flag', {
		...authenticated('viewer'),
		request: { query: listTemplatesQuery },
		responses: { 200: answer('Templates', z.object({ templates: z.array(template) })), ...errors(401, 403, 422) },
	});
	docs.get('/api/templates/{slug}', 'One template, with the JSON Schema of its configuration', {
		...authenticated('viewer'),
		request: { params: templateSlugParams },
		responses: { 200: answer('Template', z.object({ template })), ...errors(401, 403, 404) },
	});
}
