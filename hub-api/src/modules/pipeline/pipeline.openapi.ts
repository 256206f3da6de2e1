import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, documentRoutes, errors, json } from '../../http/openapi';
import { admissionAnswer, admissionBody, confirmationAnswer, confirmationBody } from './pipeline.schemas';

const SIGNED =
	'Signed like the outcome: `X-SkyBot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with ' +
	'SKYBOT_WEBHOOK_SECRET, at most 5 minutes old; no API key.';

export function registerPipelineOpenApi(registry: OpenAPIRegistry): void {
	const routes = documentRoutes(registry, 'pipeline');
	const signed = { security: [], headers: z.object({ 'x-skybot-signature': z.string() }) };
	routes.post(
		'/api/webhooks/n8n/admission',
		"Decide, before the model, whether and how to answer an inbound message (SkyBot Scenario › Decide); a skip is recorded as the message's outcome",
		{
			description:
				`${SIGNED} The rules in order: not answerable, duplicate delivery, agent inactive or account deactivated, outside the ` +
				"provider's messaging window, a person handles the conversation, the agent's scenario (handover, no reply, fixed or AI " +
				'reply), nothing to read, anti-flood (replies sent), burst (waits the window; a later message answers), model-request ' +
				'permit, daily DM quota (consumed last). An answer carries the fixed reply or the chat messages for the model.',
			security: signed.security,
			request: { headers: signed.headers, body: { content: json(admissionBody) } },
			responses: {
				200: answer('The decision', admissionAnswer),
				...errors(400, 401, 404, 413, 422),
				503: { description: 'SKYBOT_WEBHOOK_SECRET is not configured, or Redis is unavailable (nothing decided: retry)' },
			},
		},
	);
	routes.post(
		'/api/webhooks/n8n/confirmation',
		'Check, right before sending, that the reply may still go out (SkyBot Scenario › Confirm); a skip is recorded and gives the quota unit back',
		{
			description: `${SIGNED} Not sent: an empty reply, the model's escalation (it answered HANDOVER: the conversation goes to a person), or a person took the conversation over while the model was writing.`,
			security: signed.security,
			request: { headers: signed.headers, body: { content: json(confirmationBody) } },
			responses: {
				200: answer('Send, or the recorded skip', confirmationAnswer),
				...errors(400, 401, 404, 413, 422),
				503: { description: 'SKYBOT_WEBHOOK_SECRET is not configured, or Redis is unavailable' },
			},
		},
	);
}
