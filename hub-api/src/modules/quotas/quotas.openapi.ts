import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { consumeQuotaAnswer, consumeQuotaBody } from './quotas.schemas';

export function registerQuotasOpenApi(registry: OpenAPIRegistry): void {
	documentRoutes(registry, 'pipeline').post(
		'/api/quotas/consume',
		"Consume one message of today's plan quota; idempotent per messageId (ConsumeQuotaResponse)",
		{
			...authenticated('member'),
			request: { body: { content: json(consumeQuotaBody) } },
			responses: {
				200: answer('Whether the message may be answered', consumeQuotaAnswer),
				...errors(400, 401, 403, 404, 422, 503),
			},
		},
	);
}
