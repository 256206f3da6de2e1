import { Router } from 'express';
import { principalOf } from '../../http/auth';
import type { AuthService } from './auth.service';

/** Machine identity only for now; register/login/refresh (people, JWT) arrive with a later issue. */
export function authRoutes(auth: AuthService): Router {
	const router = Router();
	router.get('/me', async (_req, res) => {
		res.json(await auth.whoAmI(principalOf(res)));
	});
	return router;
}
