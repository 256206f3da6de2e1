import { type Request, Router } from 'express';
import type { Clock } from '../../clock';
import { signedJsonBody } from '../../http/signed-webhook';
import { parseInput } from '../../http/validate';
import { admissionBody, confirmationBody } from './pipeline.schemas';
import type { PipelineService } from './pipeline.service';

/** The raw-body routes: app.ts mounts express.raw on exactly these paths, before express.json. */
export const PIPELINE_WEBHOOK_PATHS = ['/api/webhooks/n8n/admission', '/api/webhooks/n8n/confirmation'];

/**
 * POST /api/webhooks/n8n/admission and /confirmation, called by the SkyBot Scenario node. Signed like the outcome
 * (a skip they decide is recorded as the message's outcome, with its execution report): 200 with the decision.
 */
export function pipelineWebhookRoutes(pipeline: PipelineService, webhookSecret: string | null, clock: Clock): Router {
	const router = Router();
	const body = (req: Request) => signedJsonBody(req, webhookSecret, clock, 'Pipeline decisions');
	router.post('/admission', async (req, res) => {
		res.json(await pipeline.admit(parseInput(admissionBody, body(req), 'body')));
	});
	router.post('/confirmation', async (req, res) => {
		res.json(await pipeline.confirm(parseInput(confirmationBody, body(req), 'body')));
	});
	return router;
}
