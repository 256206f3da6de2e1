import { Router } from 'express';
import { ownAccountId, principalOf, requireRole, requireScope } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { Role } from './roles';
import { createUserBody, updateUserBody, userIdParams } from './users.schemas';
import type { UsersService } from './users.service';

/** People of the caller's account: anyone may list them, admins and owners manage them. */
export function usersRoutes(users: UsersService): Router {
	const router = Router();
	router.use(requireScope('account'));
	// requireScope('account') guarantees an account principal, whose role is set.
	const actorRole = (res: Parameters<typeof principalOf>[0]) => principalOf(res).role as Role;

	router.get('/', requireRole('viewer'), async (_req, res) => {
		res.json({ users: await users.list(ownAccountId(res)) });
	});

	router.post('/', requireRole('admin'), async (req, res) => {
		const body = parseInput(createUserBody, req.body, 'body');
		res.status(201).json({ user: await users.add(ownAccountId(res), actorRole(res), body) });
	});

	router.patch('/:id', requireRole('admin'), async (req, res) => {
		const { id } = parseInput(userIdParams, req.params, 'params');
		const { role } = parseInput(updateUserBody, req.body, 'body');
		res.json({ user: await users.changeRole(ownAccountId(res), actorRole(res), id, role) });
	});

	router.delete('/:id', requireRole('admin'), async (req, res) => {
		const { id } = parseInput(userIdParams, req.params, 'params');
		await users.remove(ownAccountId(res), actorRole(res), id);
		res.status(204).end();
	});
	return router;
}
