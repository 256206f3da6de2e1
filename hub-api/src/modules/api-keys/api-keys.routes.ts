import { Router } from 'express';
import type { Clock } from '../../clock';
import { HubError, validationFailed } from '../../errors';
import { ownAccountId, principalOf, requireRole, requireScope } from '../../http/auth';
import { parseInput } from '../../http/validate';
import { type Role, roleAtLeast } from '../users/roles';
import { apiKeyIdParams, createApiKeyBody } from './api-keys.schemas';
import type { ApiKeysService } from './api-keys.service';

/**
 * A tenant manages its own keys (admins and owners, by login or with a key of that role); every lookup is scoped to
 * the caller's account, so another account's key is a 404.
 */
export function apiKeysRoutes(apiKeys: ApiKeysService, clock: Clock, rotationGraceSeconds: number): Router {
	const router = Router();
	router.use(requireScope('account'), requireRole('admin'));
	// requireScope('account') guarantees an account principal, whose role is set.
	const actorRole = (res: Parameters<typeof principalOf>[0]) => principalOf(res).role as Role;

	router.post('/', async (req, res) => {
		const body = parseInput(createApiKeyBody, req.body, 'body');
		const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
		if (expiresAt && expiresAt.getTime() <= clock().getTime()) {
			throw validationFailed([{ path: 'body.expiresAt', message: 'Must be in the future', code: 'too_small' }]);
		}
		if (!roleAtLeast(actorRole(res), body.role)) {
			throw new HubError(403, 'insufficient_role', 'A key cannot get a higher role than its creator');
		}
		const created = await apiKeys.create(
			{ scope: 'account', accountId: ownAccountId(res), role: body.role },
			body.name,
			expiresAt,
		);
		res.status(201).json({ apiKey: created });
	});

	router.get('/', async (_req, res) => {
		res.json({ apiKeys: await apiKeys.list(ownAccountId(res)) });
	});

	router.post('/:id/rotate', async (req, res) => {
		const { id } = parseInput(apiKeyIdParams, req.params, 'params');
		res.status(201).json(await apiKeys.rotate(ownAccountId(res), id, actorRole(res), rotationGraceSeconds));
	});

	router.delete('/:id', async (req, res) => {
		const { id } = parseInput(apiKeyIdParams, req.params, 'params');
		await apiKeys.revoke(ownAccountId(res), id, actorRole(res));
		res.status(204).end();
	});
	return router;
}
