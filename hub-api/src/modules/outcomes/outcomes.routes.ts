import type { Router } from 'express';
import type { Clock } from '../../clock';
import { signedWebhookRoute } from '../../http/signed-webhook';
import { recordOutcomeBody } from './outcomes.schemas';
import type { OutcomesService } from './outcomes.service';

/** The raw-body route: app.ts mounts express.raw on exactly this path, before express.json. */
export const OUTCOME_WEBHOOK_PATH = '/api/webhooks/n8n/outcome';

/**
 * POST /api/webhooks/n8n/outcome, called by the SkyBot node's Record Outcome operation. Signed like the execution
 * report because it is one: its cost and latency are what analytics reports, so only the holder of the webhook secret
 * (the n8n that ran the pipeline) may write them, not any key of the tenant. 201 for a stored outcome, 200
 * `duplicate: true` when the stored one already says as much, 401 for a bad/missing/expired signature.
 */
export function outcomeWebhookRoutes(outcomes: OutcomesService, webhookSecret: string | null, clock: Clock): Router {
	return signedWebhookRoute(
		{ path: '/outcome', what: 'Outcome records', body: recordOutcomeBody, record: (outcome) => outcomes.record(outcome) },
		webhookSecret,
		clock,
	);
}
