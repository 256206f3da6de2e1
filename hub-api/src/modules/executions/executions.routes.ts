import type { Router } from 'express';
import type { Clock } from '../../clock';
import { signedWebhookRoute } from '../../http/signed-webhook';
import { executionReportBody } from './executions.schemas';
import type { ExecutionsService } from './executions.service';

/** The raw-body route: app.ts mounts express.raw on exactly this path, before express.json. */
export const EXECUTION_WEBHOOK_PATH = '/api/webhooks/n8n/execution';

/**
 * POST /api/webhooks/n8n/execution, called by the SkyBot node's Report Execution operation. No API key: the HMAC
 * signature over the raw bytes is the authentication, checked before anything is parsed or stored.
 * 201 for a new report, 200 `duplicate: true` for a repeat, 401 for a bad/missing/expired signature.
 */
export function executionWebhookRoutes(executions: ExecutionsService, webhookSecret: string | null, clock: Clock): Router {
	return signedWebhookRoute(
		{ path: '/execution', what: 'Execution reports', body: executionReportBody, record: (report) => executions.record(report) },
		webhookSecret,
		clock,
	);
}
