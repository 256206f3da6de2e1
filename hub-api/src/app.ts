import express, { type Express } from 'express';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { DataSource } from 'typeorm';
import { CacheInvalidations } from './cache/cache-invalidations';
import { type Clock, systemClock } from './clock';
import type { HubConfig } from './config';
import { errorMiddleware, routeNotFound } from './errors';
import { authenticate, requireDefaultRole } from './http/auth';
import { createMetrics } from './http/metrics';
import { docsRoutes } from './http/openapi';
import { apiSecurityHeaders, documentSecurityHeaders } from './http/security-headers';
import { createRateLimits } from './http/rate-limit';
import { HubEvents } from './live/hub-events';
import type { SocketTokenVerifier } from './live/live-events';
import { AnalyticsRepository } from './modules/analytics/analytics.repository';
import { agentStatsRoutes, analyticsRoutes } from './modules/analytics/analytics.routes';
import { AnalyticsService } from './modules/analytics/analytics.service';
import { ExecutionsRepository } from './modules/executions/executions.repository';
import { EXECUTION_WEBHOOK_PATH, executionWebhookRoutes } from './modules/executions/executions.routes';
import { ExecutionsService } from './modules/executions/executions.service';
import { accountsRoutes } from './modules/accounts/accounts.routes';
import { AgentDeploymentsService } from './modules/agents/agent-deployments.service';
import { AgentEvents } from './modules/agents/agent-events';
import { AgentsRepository } from './modules/agents/agents.repository';
import { agentsRoutes } from './modules/agents/agents.routes';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes';
import { authRoutes } from './modules/auth/auth.routes';
import type { BillingRuntime } from './modules/billing/billing.module';
import { billingRoutes, stripeWebhookRoute } from './modules/billing/billing.routes';
import { AuthService } from './modules/auth/auth.service';
import { LoginThrottle } from './modules/auth/login-throttle';
import { healthRoutes } from './modules/health/health.routes';
import { HealthService } from './modules/health/health.service';
import { interactionsRoutes } from './modules/interactions/interactions.routes';
import { leadsRoutes } from './modules/leads/leads.routes';
import { providerAccountsRoutes } from './modules/provider-accounts/provider-accounts.routes';
import { QuotaStore } from './modules/quotas/quota-store';
import { consumeQuotaRoute } from './modules/quotas/quotas.routes';
import { QuotasService } from './modules/quotas/quotas.service';
import { routingRoutes } from './modules/routing/routing.routes';
import { UsersRepository } from './modules/users/users.repository';
import { usersRoutes } from './modules/users/users.routes';
import { UsersService } from './modules/users/users.service';
import { defaultTemplatesDir, loadTemplateCatalogue } from './modules/templates/template-catalogue';
import { templatesRoutes } from './modules/templates/templates.routes';
import { TemplatesService } from './modules/templates/templates.service';
import { N8nClient } from './n8n/n8n-client';
import { hubOpenApiDocument } from './openapi';
import { createServices } from './services';

export interface HubDeps {
	config: Pick<HubConfig, 'bodyLimit' | 'webhookSecret' | 'auth' | 'rateLimits' | 'redisNamespace' | 'deploy'>;
	dataSource: DataSource;
	redis: Redis;
	logger: Logger;
	clock?: Clock;
	/** Where routes publish what live clients hear (execution reports, agent changes); server.ts feeds socket.io. */
	events?: HubEvents;
	/** Stripe billing (server.ts starts it when configured); without it billing routes answer 503. */
	billing?: BillingRuntime | null;
	/** The hub's URL as n8n reaches it (HUB_PUBLIC_URL, else the listening URL, known once server.ts listens). */
	publicUrl?: () => string;
	/** Agent status changes (deploy, toggle, upgrade, failure, delete); also forwarded to `events` as agent:status. */
	agentEvents?: AgentEvents;
	/** Revoked keys and plan changes reach the hot path's caches (server.ts also feeds it the other replicas'). */
	invalidations?: CacheInvalidations;
}

const ACCESS_TOKEN_VERIFIER = 'accessTokenVerifier';

/** The access-token verifier createApp built, for the socket.io handshake. */
export function accessTokenVerifierOf(app: Express): SocketTokenVerifier {
	return app.locals[ACCESS_TOKEN_VERIFIER] as SocketTokenVerifier;
}

const AGENT_DEPLOYMENTS = 'agentDeployments';

/** The agent deployments createApp built, for billing's workers (a deleted customer's agents are stopped in n8n). */
export function agentDeploymentsOf(app: Express): AgentDeploymentsService {
	return app.locals[AGENT_DEPLOYMENTS] as AgentDeploymentsService;
}

const QUIET_PATHS = new Set(['/api/health', '/api/ready', '/metrics']);
/** Called once per DM by the pipeline: a success is logged at debug, a refusal (4xx) or failure as usual. */
const HOT_PATHS = new Set(['/api/quotas/consume']);
const levelOf = (status: number, error?: Error) => (error || status >= 500 ? 'error' : 'info');

/**
 * pino-http builds a child logger with the serialized, redacted request on every request, even when the line is
 * never written. On the hot path, below debug, only the requests that did not succeed are logged, in the same shape.
 */
function requestLogging(logger: Logger): express.RequestHandler {
	const logEveryRequest = pinoHttp({
		logger,
		autoLogging: { ignore: (req) => QUIET_PATHS.has(req.url ?? '') },
		// originalUrl: by the time the response finishes, the routers have made req.url relative to their mount.
		customLogLevel: (req, res, error) =>
			!error && res.statusCode < 400 && HOT_PATHS.has((req as express.Request).originalUrl) ? 'debug' : levelOf(res.statusCode, error),
		// Response headers are the same on every line (helmet's); the status says what matters.
		serializers: { res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }) },
	});
	return (req, res, next) => {
		if (!HOT_PATHS.has(req.url) || logger.isLevelEnabled('debug')) return logEveryRequest(req, res, next);
		const startedAt = Date.now();
		res.once('finish', () => {
			if (res.statusCode < 400) return;
			// Only the method and path: the x-api-key header of these calls is never serialized at all.
			logger[levelOf(res.statusCode)](
				{ req: { method: req.method, url: req.originalUrl }, res: { statusCode: res.statusCode }, responseTime: Date.now() - startedAt },
				'request completed',
			);
		});
		next();
	};
}

export function createApp({
	config,
	dataSource,
	redis,
	logger,
	clock = systemClock,
	events = new HubEvents(),
	billing = null,
	publicUrl = () => 'http://127.0.0.1:3000',
	agentEvents = new AgentEvents(),
	invalidations = new CacheInvalidations(redis, config.redisNamespace, logger),
}: HubDeps): Express {
	const services = createServices(dataSource, clock, invalidations);
	// The catalogue is part of the release: read once here, a broken template stops start-up.
	const templates = new TemplatesService(loadTemplateCatalogue(config.deploy.templatesDir ?? defaultTemplatesDir()));
	const deployments = new AgentDeploymentsService({
		repository: new AgentsRepository(dataSource),
		templates,
		n8n: config.deploy.n8n && new N8nClient({ baseUrl: config.deploy.n8n.url, apiKey: config.deploy.n8n.apiKey }),
		apiKeys: services.apiKeys,
		hubUrl: () => config.deploy.publicUrl ?? publicUrl(),
		webhookSecret: config.webhookSecret,
		events: agentEvents,
		clock,
		agentLimit: services.planLimits,
	});
	agentEvents.on('status', ({ accountId, agentId, status, at }) =>
		events.publish('agent:status', { accountId, agentId, status, at }),
	);
	const quotas = new QuotasService(new QuotaStore(redis, config.redisNamespace), clock);
	const metrics = createMetrics();
	const executions = new ExecutionsService(new ExecutionsRepository(dataSource), events, clock);
	const analytics = new AnalyticsService(new AnalyticsRepository(dataSource), clock);
	const auth = new AuthService({
		dataSource,
		accounts: services.accounts,
		// REDIS_NAMESPACE: hubs sharing it (replicas) share the failed-login counters.
		throttle: new LoginThrottle(redis, config.redisNamespace),
		config: config.auth,
		clock,
	});
	// Every mounted router gets credentials (a Bearer access token or an X-API-Key) and the default role floor.
	const limits = createRateLimits(redis, config.rateLimits, config.redisNamespace, logger);
	const withKey = [authenticate(services.apiKeys, auth), limits.perPrincipal, requireDefaultRole];

	const app = express();
	// server.ts authenticates socket.io connections with the same verifier as the REST API.
	app.locals[ACCESS_TOKEN_VERIFIER] = auth;
	app.locals[AGENT_DEPLOYMENTS] = deployments;
	app.disable('x-powered-by');
	// Express hashes every response body for an ETag. The hub's answers are computed per request for one caller and
	// no client of it revalidates (If-None-Match); the hash cost CPU on every call, the per-DM quota consume included.
	app.disable('etag');
	app.use(apiSecurityHeaders);
	app.use(requestLogging(logger));
	app.use(metrics.observeRequests);
	const parseJson = express.json({ limit: config.bodyLimit });
	// The pipeline consumes quota once per DM: its route comes right after what every request gets, because each layer
	// Express walks before reaching a route (body parsers of other paths, routers and their mounts) costs every call.
	// It is one route layer on the app: behind app.use('/api/quotas', …) each middleware was a layer of its own, each
	// matching the path and rewriting req.url, and then a nested router did it all again.
	app.post('/api/quotas/consume', parseJson, withKey, consumeQuotaRoute(quotas, services.accounts));
	// Execution reports are authenticated by an HMAC over their exact bytes: that route keeps the raw body.
	app.use(EXECUTION_WEBHOOK_PATH, express.raw({ type: () => true, limit: config.bodyLimit }));
	app.post('/api/billing/webhook', ...stripeWebhookRoute(billing?.service ?? null, config.bodyLimit));
	app.use(parseJson);

	app.get('/metrics', metrics.serve);

	const api = express.Router();
	api.use(healthRoutes(new HealthService(dataSource, redis)));
	api.use('/docs', documentSecurityHeaders, docsRoutes(hubOpenApiDocument()));
	api.use('/auth', limits.authByIp);
	api.use('/auth', authRoutes(auth, authenticate(services.apiKeys, auth)));
	api.use('/accounts', withKey, accountsRoutes(services.accounts));
	api.use('/api-keys', withKey, apiKeysRoutes(services.apiKeys, clock, config.auth.apiKeyRotationGraceSeconds));
	api.use('/users', withKey, usersRoutes(new UsersService(new UsersRepository(dataSource))));
	api.use('/templates', withKey, templatesRoutes(templates));
	// One mount for both routers: a second withKey would count a stats request twice against the rate limit.
	api.use(
		'/agents',
		withKey,
		agentsRoutes(services.agents, services.accounts, services.planLimits, deployments),
		agentStatsRoutes(analytics, services.accounts),
	);
	api.use('/provider-accounts', withKey, providerAccountsRoutes(services.providerAccounts, services.accounts));
	api.use('/routing', withKey, routingRoutes(services.routing));
	api.use('/interactions', withKey, interactionsRoutes(services.interactions, services.accounts));
	api.use('/leads', withKey, leadsRoutes(services.leads, services.accounts));
	api.use('/billing', withKey, billingRoutes(billing?.service ?? null, quotas, services.accounts));
	api.use('/analytics', withKey, analyticsRoutes(analytics, services.accounts));
	// No API key: the HMAC signature is the authentication (see modules/executions/signature.ts).
	api.use('/webhooks/n8n', executionWebhookRoutes(executions, config.webhookSecret, clock));
	app.use('/api', api);

	app.use(routeNotFound);
	app.use(errorMiddleware(logger));
	return app;
}
