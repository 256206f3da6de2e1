import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { answer, documentRoutes } from '../../http/openapi';

const checkStatus = z.enum(['ok', 'down']);

export function registerHealthOpenApi(registry: OpenAPIRegistry): void {
	const docs = documentRoutes(registry, 'health');
	docs.get('/api/health', 'Liveness: the process answers', {
		security: [],
		responses: { 200: answer('Alive', z.object({ status: z.literal('ok') })) },
	});
	const readiness = z.object({
		status: z.enum(['ready', 'not_ready']),
		checks: z.object({ postgres: checkStatus, redis: checkStatus }),
	});
	docs.get('/api/ready', 'Readiness: PostgreSQL and Redis reachable', {
		security: [],
		responses: { 200: answer('Ready', readiness), 503: answer('A dependency is down', readiness) },
	});
	docs.get('/metrics', 'Prometheus metrics', {
		security: [],
		responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
	});
}
