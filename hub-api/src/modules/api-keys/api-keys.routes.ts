import { Router } from 'express';
import { ownAccountId, requireScope } from '../../http/auth';
import { parseInput, validationFailed } from '../../http/validate';
import type { Clock } from '../../clock';
import { apiKeyIdParams, createApiKeyBody } from './api-keys.schemas';
import type { ApiKeysService } from './api-keys.service';

/** A tenant manages its own keys with an account key; every lookup is scoped to that account. */
export function apiKeysRoutes(apiKeys: ApiKeysService, clock: Clock): Router {
	const router = Router();
	router.use(requireScope('account'));

	router.post('/', async (req, res) => {
		const body = parseInput(createApiKeyBody, req.body, 'body');
		const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
		if (expiresAt && expiresAt.getTime() <= clock().getTime()) {
			throw validationFailed([{ path: 'body.expiresAt', message: 'Must be in the future', code: 'too_small' }]);
		}
		const created = await apiKeys.create({ scope: 'account', accountId: ownAccountId(res) }, body.name, expiresAt);
		res.status(201).json({ apiKey: created });
	});

	router.get('/', async (_req, res) => {
		res.json({ apiKeys: await apiKeys.list(ownAccountId(res)) });
	});

	router.delete('/:id', async (req, res) => {
		const { id } = parseInput(apiKeyIdParams, req.params, 'params');
		await apiKeys.revoke(ownAccountId(res), id);
		res.status(204).end();
	});
	return router;
}
