import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, authenticated, documentRoutes, errors } from '../../http/openapi';
import { listTemplatesQuery, templateSlugParams, templateView } from './templates.schemas';

export function registerTemplatesOpenApi(registry: OpenAPIRegistry): void {
	const template = registry.register('Template', templateView);
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
