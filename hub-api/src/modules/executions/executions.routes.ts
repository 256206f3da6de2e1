import { Router } from 'express';
import { EXECUTION_SIGNATURE_HEADER } from '../../../../contracts/hub-api';
import type { Clock } from '../../clock';
import { HubError } from '../../errors';
import { parseInput } from '../../http/validate';
import { executionReportBody } from './executions.schemas';
import type { ExecutionsService } from './executions.service';
import { verifySignature } from './signature';

/** The raw-body route: app.ts mounts express.raw on exactly this path, before express.json. */
export const EXECUTION_WEBHOOK_PATH = '/api/webhooks/n8n/execution';

/**
 * POST /api/webhooks/n8n/execution, called by the SkyBot node's Report Execution operation. No API key: the HMAC
 * signature over the raw bytes is the authentication, checked before anything is parsed or stored.
 * 201 for a new report, 200 `duplicate: true` for a repeat, 401 for a bad/missing/expired signature.
 */
export function executionWebhookRoutes(executions: ExecutionsService, webhookSecret: string | null, clock: Clock): Router {
	const router = Router();
	router.post('/execution', async (req, res) => {
		if (!webhookSecret) {
			throw new HubError(503, 'webhook_not_configured', 'Execution reports are disabled: SKYBOT_WEBHOOK_SECRET is not set');
		}
		const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
		verifySignature(webhookSecret, req.get(EXECUTION_SIGNATURE_HEADER), rawBody, clock());
		let json: unknown;
		try {
			json = JSON.parse(rawBody.toString('utf8'));
		} catch {
			throw new HubError(400, 'invalid_json', 'Request body is not valid JSON');
		}
		const report = parseInput(executionReportBody, json, 'body');
		const result = await executions.record(report);
		res.status(result.duplicate ? 200 : 201).json(result);
	});
	return router;
}
