import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, documentRoutes, errors, json } from '../../http/openapi';
import { outcomeAlreadyRecorded, outcomeRecorded, recordOutcomeBody } from './outcomes.schemas';

export function registerOutcomesOpenApi(registry: OpenAPIRegistry): void {
	documentRoutes(registry, 'pipeline').post(
		'/api/webhooks/n8n/outcome',
		"Record a message's outcome (interaction and execution report in one transaction, HMAC-signed); idempotent per (account, provider, messageId)",
		{
			description:
				'Signed like the execution report: `X-SkyBot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` ' +
				'with SKYBOT_WEBHOOK_SECRET, at most 5 minutes old; no API key. 200 `duplicate: true` stores nothing: the ' +
				'stored outcome already says as much (a repeat, or a redelivery skipped after the reply). `reply.cache`: ' +
				'`hit: false` stores a replied answer in the AI answer cache under `key` (once); `hit: true` records a reply ' +
				'from the cache (its tokens and cost 0 or absent) with `costSavedUsd` as cost saved.',
			security: [],
			request: {
				headers: z.object({ 'x-skybot-signature': z.string() }),
				body: { content: json(recordOutcomeBody) },
			},
			responses: {
				200: answer('Already recorded (duplicate): the stored outcome', outcomeAlreadyRecorded),
				201: answer('Recorded', outcomeRecorded),
				...errors(400, 401, 404, 413, 422),
				503: { description: 'SKYBOT_WEBHOOK_SECRET is not configured (webhook_not_configured)' },
			},
		},
	);
}
