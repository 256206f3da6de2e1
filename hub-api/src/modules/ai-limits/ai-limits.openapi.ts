import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { aiContextAnswer, aiContextBody, aiPermitAnswer, aiPermitBody } from './ai-limits.schemas';

export function registerAiLimitsOpenApi(registry: OpenAPIRegistry): void {
	const docs = documentRoutes(registry, 'ai');
	docs.post(
		'/api/ai/permits',
		"Take one model request of the account's per-minute budget (its plan's, shared by every worker and replica); " +
			'`allowed: false` says how long to wait. Redis down: 503 `ai_limiter_unavailable` (fails closed)',
		{
			...authenticated('member'),
			request: { body: { content: json(aiPermitBody) } },
			responses: {
				200: answer('Whether the model may be called now', aiPermitAnswer),
				...errors(400, 401, 403, 404, 422, 503),
			},
		},
	);
	docs.post(
		'/api/ai/context',
		'The conversation so far as chat messages ending with the current one, trimmed oldest-first so that the system ' +
			"prompt and the messages fit maxTokens (4000 by default), counted with the model family's tokenizer",
		{
			...authenticated('member'),
			request: { body: { content: json(aiContextBody) } },
			responses: {
				200: answer('The messages to send and their token counts', aiContextAnswer),
				...errors(400, 401, 403, 404, 422),
			},
		},
	);
}
