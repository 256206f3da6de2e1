import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { answer, documentRoutes, errors, platformOnly } from '../../http/openapi';
import { routeAnswer, routeParams } from './routing.schemas';

export function registerRoutingOpenApi(registry: OpenAPIRegistry): void {
	documentRoutes(registry, 'pipeline').get(
		'/api/routing/{provider}/{accountExternalId}',
		'Which account and agent an inbound message belongs to (RouteResponse)',
		{
			...platformOnly,
			request: { params: routeParams },
			responses: { 200: answer('The route', routeAnswer), ...errors(401, 403, 404, 422) },
		},
	);
}
