import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { PLAN_IDS } from '../../../../contracts/hub-api';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { consumeQuotaBody } from './quotas.schemas';

export function registerQuotasOpenApi(registry: OpenAPIRegistry): void {
	documentRoutes(registry, 'pipeline').post(
		'/api/quotas/consume',
		"Consume one message of today's plan quota; idempotent per messageId (ConsumeQuotaResponse)",
		{
			...authenticated('member'),
			request: { body: { content: json(consumeQuotaBody) } },
			responses: {
				200: answer(
					'Whether the message may be answered',
					z.object({
						allowed: z.boolean(),
						limit: z.number().int().nullable(),
						remaining: z.number().int().nullable(),
						used: z.number().int(),
						resetAt: z.iso.datetime(),
						plan: z.enum(PLAN_IDS),
						duplicate: z.boolean(),
						previousAllowedAt: z.iso.datetime().nullable(),
					}),
				),
				...errors(400, 401, 403, 404, 422, 503),
			},
		},
	);
}
