import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { PLAN_IDS, ROUTE_INACTIVE_REASONS } from '../../../../contracts/hub-api';
import { answer, documentRoutes, errors, platformOnly } from '../../http/openapi';
import { provider } from '../provider-accounts/provider-accounts.schemas';
import { routeParams } from './routing.schemas';

export function registerRoutingOpenApi(registry: OpenAPIRegistry): void {
	documentRoutes(registry, 'pipeline').get(
		'/api/routing/{provider}/{accountExternalId}',
		'Which account and agent an inbound message belongs to (RouteResponse)',
		{
			...platformOnly,
			request: { params: routeParams },
			responses: {
				200: answer(
					'The route',
					z.object({
						provider,
						accountExternalId: z.string(),
						accountId: z.uuid(),
						agentId: z.uuid().nullable(),
						plan: z.enum(PLAN_IDS),
						active: z.boolean(),
						inactiveReason: z.enum(ROUTE_INACTIVE_REASONS).nullable(),
					}),
				),
				...errors(401, 403, 404, 422),
			},
		},
	);
}
