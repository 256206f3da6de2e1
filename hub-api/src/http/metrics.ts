import type { RequestHandler } from 'express';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HubMetrics {
	registry: Registry;
	/** Times every request, labelled by route pattern (never the raw path, which would explode the label set). */
	observeRequests: RequestHandler;
	serve: RequestHandler;
}

/** One registry per app rather than prom-client's global one, so several hubs can live in one process (tests). */
export function createMetrics(): HubMetrics {
	const registry = new Registry();
	collectDefaultMetrics({ register: registry });
	const duration = new Histogram({
		name: 'http_request_duration_seconds',
		help: 'HTTP request duration in seconds, by method, route pattern and status code',
		labelNames: ['method', 'route', 'status_code'],
		buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
		registers: [registry],
	});
	return {
		registry,
		observeRequests: (req, res, next) => {
			const stop = duration.startTimer();
			res.on('finish', () => {
				const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
				stop({ method: req.method, route, status_code: String(res.statusCode) });
			});
			next();
		},
		serve: async (_req, res) => {
			res.type(registry.contentType).send(await registry.metrics());
		},
	};
}
