import { Router } from 'express';
import { parseInput } from '../../http/validate';
import { listTemplatesQuery, templateSlugParams } from './templates.schemas';
import type { TemplatesService } from './templates.service';

export function templatesRoutes(templates: TemplatesService): Router {
	const router = Router();
	router.get('/', (req, res) => {
		const query = parseInput(listTemplatesQuery, req.query, 'query');
		res.json({ templates: templates.list(query) });
	});
	router.get('/:slug', (req, res) => {
		const { slug } = parseInput(templateSlugParams, req.params, 'params');
		res.json({ template: templates.view(slug) });
	});
	return router;
}
