import { type Request, Router } from 'express';
import type { z } from 'zod';
import { EXECUTION_SIGNATURE_HEADER } from '../../../contracts/hub-api';
import type { Clock } from '../clock';
import { HubError } from '../errors';
import { verifySignature } from '../modules/executions/signature';
import { parseInput } from './validate';

/**
 * The JSON of a request to one of n8n's signed webhooks (/api/webhooks/n8n/…; app.ts keeps their raw bodies). No API
 * key: the HMAC over the exact bytes is the authentication, checked before anything is parsed, so a bad or missing
 * signature is 401 and nothing of the body is read. 503 when the hub has no SKYBOT_WEBHOOK_SECRET.
 */
export function signedJsonBody(req: Request, webhookSecret: string | null, clock: Clock, what: string): unknown {
	if (!webhookSecret) {
		throw new HubError(503, 'webhook_not_configured', `${what} are disabled: SKYBOT_WEBHOOK_SECRET is not set`);
	}
	const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
	verifySignature(webhookSecret, req.get(EXECUTION_SIGNATURE_HEADER), rawBody, clock());
	try {
		return JSON.parse(rawBody.toString('utf8'));
	} catch {
		throw new HubError(400, 'invalid_json', 'Request body is not valid JSON');
	}
}

export interface SignedWebhook<Schema extends z.ZodType> {
	/** The route's path inside the router, e.g. `/execution`. */
	path: string;
	/** What the route records, plural, for the 503 message ("Execution reports"). */
	what: string;
	body: Schema;
	/** Records the validated body; `duplicate: true` answers 200, a new record 201. */
	record: (body: z.output<Schema>) => Promise<{ duplicate: boolean }>;
}

/** A router with one signed webhook route: signature, then JSON, then zod, then `record`. */
export function signedWebhookRoute<Schema extends z.ZodType>(
	webhook: SignedWebhook<Schema>,
	webhookSecret: string | null,
	clock: Clock,
): Router {
	const router = Router();
	router.post(webhook.path, async (req, res) => {
		const json = signedJsonBody(req, webhookSecret, clock, webhook.what);
		const result = await webhook.record(parseInput(webhook.body, json, 'body'));
		res.status(result.duplicate ? 200 : 201).json(result);
	});
	return router;
}
