import {
	extendZodWithOpenApi,
	OpenAPIRegistry,
	OpenApiGeneratorV31,
	type ResponseConfig,
	type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import type { Role } from '../modules/users/roles';

/**
 * The OpenAPI 3.1 document is generated from the same zod schemas that validate requests. Pattern, per module:
 *   modules/<module>/<module>.openapi.ts exports `register<Module>OpenApi(registry)`, which registers the module's
 *   response schemas as components and documents each route through `documentRoutes(registry, tag)` with the
 *   module's request and response schemas (both in <module>.schemas.ts), using the helpers below; the function is
 *   listed once in src/openapi.ts. hub-api/test/openapi.test.ts fails when a route mounted on the app is missing from
 *   the document, and the tests' expectDocumented() when a real answer does not match it.
 */
export type OpenApiRegistrar = (registry: OpenAPIRegistry) => void;

// registry.register() names schemas through zod's `.openapi()`, which this adds to zod's prototypes (idempotent).
extendZodWithOpenApi(z);

export const errorBodySchema = z.object({
	error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

const ERROR_DESCRIPTIONS: Record<number, string> = {
	400: 'Malformed request (invalid JSON, ambiguous credentials)',
	401: 'Missing, invalid or expired credentials',
	403: 'Authenticated, but the role or key scope does not allow this',
	404: 'Not found (including anything that belongs to another account)',
	409: 'Conflict with the current state',
	413: 'Request body too large',
	422: 'Request validation failed: `details` lists every issue',
	429: 'Too many requests: retry after the Retry-After header (seconds)',
	503: 'A dependency (PostgreSQL, Redis, …) is unavailable: retry later',
};

export const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

/** A response with a JSON body. */
export const answer = (description: string, schema: z.ZodType): ResponseConfig => ({
	description,
	content: json(schema),
});

/** Response entries for the hub's error statuses, all with the one error body. */
export function errors(...statuses: number[]): Record<number, ResponseConfig> {
	return Object.fromEntries(
		statuses.map((status) => [
			status,
			{ description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: json(errorBodySchema) },
		]),
	);
}

/** Credentials accepted by authenticated routes: a person's access token, or a machine's API key. */
export const CREDENTIALS: RouteConfig['security'] = [{ bearerAuth: [] }, { apiKey: [] }];
export const PLATFORM_KEY: RouteConfig['security'] = [{ apiKey: [] }];

/** An authenticated route open to `role` and above (platform keys pass role checks). */
export const authenticated = (role: Role): Pick<RouteConfig, 'security'> & { 'x-minimum-role': Role } => ({
	security: CREDENTIALS,
	'x-minimum-role': role,
});

/** A route for the operator's platform key only (the shared n8n pipeline, tenant onboarding). */
export const platformOnly = { security: PLATFORM_KEY, 'x-platform-key-only': true } as const;

/** What a module writes for one route; `documentRoutes` adds the method, the path, the summary and the module's tag. */
export type RouteDocumentation = Omit<RouteConfig, 'method' | 'path' | 'summary'>;

/**
 * Documents a module's routes the way its router declares them, `docs.post(path, summary, documentation)`, each
 * under the module's tag (a route listed under several tags gives `tags` in its documentation).
 */
export function documentRoutes(registry: OpenAPIRegistry, tag: string) {
	const route = (method: RouteConfig['method']) => (path: string, summary: string, documentation: RouteDocumentation) =>
		registry.registerPath({ method, path, tags: [tag], summary, ...documentation });
	return { get: route('get'), post: route('post'), put: route('put'), patch: route('patch'), delete: route('delete') };
}

export function buildOpenApiDocument(registrars: OpenApiRegistrar[]) {
	const registry = new OpenAPIRegistry();
	registry.registerComponent('securitySchemes', 'bearerAuth', {
		type: 'http',
		scheme: 'bearer',
		bearerFormat: 'JWT',
		description: 'Access token from /api/auth/login, /register or /refresh (people).',
	});
	registry.registerComponent('securitySchemes', 'apiKey', {
		type: 'apiKey',
		in: 'header',
		name: 'X-API-Key',
		description: 'An account API key (machines, n8n) or the platform key of the shared pipeline.',
	});
	registerDocsOpenApi(registry);
	for (const register of registrars) register(registry);
	return new OpenApiGeneratorV31(registry.definitions).generateDocument({
		openapi: '3.1.0',
		info: {
			title: 'SkyBot Hub API',
			version: '1.0.0',
			description:
				'Tenants, people and API keys, agents, routing, quotas and interactions around the n8n instance. ' +
				'Roles inside an account: viewer (read-only) < member (operates agents) < admin (keys, agents) < owner ' +
				'(everything, billing included). Another account\'s ids answer 404.',
		},
		servers: [{ url: '/' }],
	});
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

function registerDocsOpenApi(registry: OpenAPIRegistry): void {
	registry.registerPath({
		method: 'get',
		path: '/api/docs',
		tags: ['docs'],
		summary: 'This API, browsable (Swagger UI)',
		security: [],
		responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: z.string() } } } },
	});
	registry.registerPath({
		method: 'get',
		path: '/api/docs/openapi.json',
		tags: ['docs'],
		summary: 'This document (OpenAPI 3.1)',
		security: [],
		responses: { 200: { description: 'OpenAPI document', content: json(z.record(z.string(), z.unknown())) } },
	});
}

/** `GET /openapi.json` (the document) and a browsable Swagger UI at the router's root. */
export function docsRoutes(document: OpenApiDocument): Router {
	const router = Router();
	router.get('/openapi.json', (_req, res) => {
		res.json(document);
	});
	router.use('/', swaggerUi.serve);
	router.get('/', swaggerUi.setup(document, { customSiteTitle: 'SkyBot Hub API' }));
	return router;
}
