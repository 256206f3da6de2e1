import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { PLAN_IDS, ROUTE_INACTIVE_REASONS } from '../../../../contracts/hub-api';
import { errors, json, platformOnly } from '../../http/openapi';
import { provider } from '../provider-accounts/provider-accounts.schemas';
import { routeParams } from './routing.schemas';

export function registerRoutingOpenApi(registry: OpenAPIRegistry): void {
	registry.registerPath({
		method: 'get',
		path: '/api/routing/{provider}/{accountExternalId}',
		tags: ['pipeline'],
		summary: 'Which account and agent an inbound message belongs to (RouteResponse)',
		...platformOnly,
		request: { params: routeParams },
		responses: {
			200: {
				description: 'The route',
				content: json(
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
			},
			...errors(401, 403, 404, 422),
		},
	});
}
