import { Router, type RequestHandler } from 'express';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import { loginBody, logoutBody, refreshBody, registerBody } from './auth.schemas';
import type { AuthService } from './auth.service';

/**
 * register, login, refresh and logout are public (they hand out or end sessions); /me needs credentials, either kind.
 * `authenticated` is applied to /me only, so the public routes work without any header.
 */
export function authRoutes(auth: AuthService, authenticated: RequestHandler): Router {
	const router = Router();

	router.post('/register', async (req, res) => {
		res.status(201).json(await auth.register(parseInput(registerBody, req.body, 'body')));
	});

	router.post('/login', async (req, res) => {
		const body = parseInput(loginBody, req.body, 'body');
		res.json(await auth.login(body.email, body.password, req.ip ?? 'unknown'));
	});

	router.post('/refresh', async (req, res) => {
		const body = parseInput(refreshBody, req.body, 'body');
		res.json({ tokens: await auth.refresh(body.refreshToken) });
	});

	router.post('/logout', async (req, res) => {
		await auth.logout(parseInput(logoutBody, req.body, 'body').refreshToken);
		res.status(204).end();
	});

	router.get('/me', authenticated, async (_req, res) => {
		res.json(await auth.whoAmI(principalOf(res)));
	});
	return router;
}
