import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { json } from '../../http/openapi';

const checkStatus = z.enum(['ok', 'down']);

export function registerHealthOpenApi(registry: OpenAPIRegistry): void {
	registry.registerPath({
		method: 'get',
		path: '/api/health',
		tags: ['health'],
		summary: 'Liveness: the process answers',
		security: [],
		responses: { 200: { description: 'Alive', content: json(z.object({ status: z.literal('ok') })) } },
	});
	const readiness = z.object({
		status: z.enum(['ready', 'not_ready']),
		checks: z.object({ postgres: checkStatus, redis: checkStatus }),
	});
	registry.registerPath({
		method: 'get',
		path: '/api/ready',
		tags: ['health'],
		summary: 'Readiness: PostgreSQL and Redis reachable',
		security: [],
		responses: {
			200: { description: 'Ready', content: json(readiness) },
			503: { description: 'A dependency is down', content: json(readiness) },
		},
	});
	registry.registerPath({
		method: 'get',
		path: '/metrics',
		tags: ['health'],
		summary: 'Prometheus metrics',
		security: [],
		responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
	});
}
