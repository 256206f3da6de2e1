import { Router } from 'express';
import type { HealthService } from './health.service';

/** Liveness says the process answers; readiness says it can serve (PostgreSQL and Redis reachable). No auth. */
export function healthRoutes(health: HealthService): Router {
	const router = Router();
	router.get('/health', (_req, res) => {
		res.json({ status: 'ok' });
	});
	router.get('/ready', async (_req, res) => {
		const { ready, checks } = await health.readiness();
		res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
	});
	return router;
}
