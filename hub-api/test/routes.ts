/**
 * The routes an Express app really serves, read from its router stacks (not a hand-kept list), so the OpenAPI and
 * bad-input tests cover every route a module mounts, including ones added later.
 */
import type { Express } from 'express';

export interface MountedRoute {
	method: string;
	/** OpenAPI notation: `/api/api-keys/{id}` for Express's `/api/api-keys/:id`. */
	path: string;
}

interface Layer {
	rawPath?: unknown;
	route?: { path: string; methods: Record<string, boolean> };
	handle?: { stack?: Layer[] };
}

function walk(stack: Layer[], prefix: string, routes: MountedRoute[]): void {
	for (const layer of stack) {
		if (layer.route) {
			for (const method of Object.keys(layer.route.methods).filter((name) => name !== '_all')) {
				routes.push({ method, path: toOpenApiPath(`${prefix}${layer.route.path}`) });
			}
		} else if (layer.handle?.stack) {
			const mountPath = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
			walk(layer.handle.stack, `${prefix}${mountPath}`, routes);
		}
	}
}

const toOpenApiPath = (path: string) => (path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1') || '/');

export function listRoutes(app: Express): MountedRoute[] {
	const routes: MountedRoute[] = [];
	walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', routes);
	// A path served by several routers (e.g. two modules under /api/agents) is one operation.
	const unique = new Map(routes.map((route) => [`${route.method} ${route.path}`, route]));
	return [...unique.values()];
}
