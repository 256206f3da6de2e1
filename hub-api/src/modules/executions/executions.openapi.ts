import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, documentRoutes, errors, json } from '../../http/openapi';
import { executionReportBody, reportAlreadyRecorded, reportRecorded } from './executions.schemas';

export function registerExecutionsOpenApi(registry: OpenAPIRegistry): void {
	documentRoutes(registry, 'executions').post(
		'/api/webhooks/n8n/execution',
		'Record an execution report from an n8n workflow (HMAC-signed); idempotent per execution and message',
		{
			description:
				'No API key: the `X-SkyBot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` header, ' +
				'made with SKYBOT_WEBHOOK_SECRET, authenticates the exact bytes; it must be at most 5 minutes old.',
			security: [],
			request: {
				headers: z.object({ 'x-skybot-signature': z.string() }),
				body: { content: json(executionReportBody) },
			},
			responses: {
				200: answer('Already recorded (duplicate)', reportAlreadyRecorded),
				201: answer('Recorded', reportRecorded),
				...errors(400, 401, 404, 413, 422),
				503: { description: 'SKYBOT_WEBHOOK_SECRET is not configured (webhook_not_configured)' },
			},
		},
	);
}
