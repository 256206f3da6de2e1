import express, { type Express } from 'express';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Clock } from './clock';
import type { HubConfig } from './config';
import { authenticate, requireDefaultRole } from './http/auth';
import { errorMiddleware, routeNotFound } from './http/error-handler';
import { createMetrics } from './http/metrics';
import { docsRoutes } from './http/openapi';
import { createRateLimits } from './http/rate-limit';
import { apiSecurityHeaders, documentSecurityHeaders } from './http/security-headers';
import { accountsRoutes } from './modules/accounts/accounts.routes';
import { aiLimitsRoutes } from './modules/ai-limits/ai-limits.routes';
import { agentsRoutes } from './modules/agents/agents.routes';
import { agentStatsRoutes, analyticsRoutes } from './modules/analytics/analytics.routes';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes';
import { authRoutes } from './modules/auth/auth.routes';
import { billingRoutes, stripeWebhookRoute } from './modules/billing/billing.routes';
import { conversationsRoutes } from './modules/conversations/conversations.routes';
import { EXECUTION_WEBHOOK_PATH, executionWebhookRoutes } from './modules/executions/executions.routes';
import { healthRoutes } from './modules/health/health.routes';
import { interactionsRoutes } from './modules/interactions/interactions.routes';
import { leadsRoutes } from './modules/leads/leads.routes';
import { OUTCOME_WEBHOOK_PATH, outcomeWebhookRoutes } from './modules/outcomes/outcomes.routes';
import { PIPELINE_WEBHOOK_PATHS, pipelineWebhookRoutes } from './modules/pipeline/pipeline.routes';
import { providerAccountsRoutes } from './modules/provider-accounts/provider-accounts.routes';
import { consumeQuotaRoute } from './modules/quotas/quotas.routes';
import { routingRoutes } from './modules/routing/routing.routes';
import { scenariosRoutes } from './modules/scenarios/scenarios.routes';
import { socialAccountCallbackRoutes, socialAccountsRoutes } from './modules/social-accounts/social-accounts.routes';
import { templatesRoutes } from './modules/templates/templates.routes';
import { usersRoutes } from './modules/users/users.routes';
import { hubOpenApiDocument } from './openapi';
import type { HubServices } from './services';

export interface AppDeps {
	config: Pick<HubConfig, 'bodyLimit' | 'webhookSecret' | 'auth' | 'rateLimits' | 'redisNamespace'>;
	/** Built once by createHubServices (services.ts); the app only mounts routes over them. */
	services: HubServices;
	/** For the rate limits' shared counters. */
	redis: Redis;
	logger: Logger;
	clock: Clock;
}

const QUIET_PATHS = new Set(['/api/health', '/api/ready', '/metrics']);
/** Called once per DM (per model call) by the pipeline: a success is logged at debug, a refusal (4xx) or failure as usual. */
const HOT_PATHS = new Set(['/api/quotas/consume', '/api/ai/permits']);
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

/** The HTTP face of the hub: middleware, then every module's routes over the services it is given. */
export function createApp({ config, services, redis, logger, clock }: AppDeps): Express {
	const metrics = createMetrics();
	// Every mounted router gets credentials (a Bearer access token or an X-API-Key) and the default role floor.
	const limits = createRateLimits(redis, config.rateLimits, config.redisNamespace, logger);
	const withKey = [authenticate(services.apiKeys, services.auth), limits.perPrincipal, requireDefaultRole];

	const app = express();
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
	app.post('/api/quotas/consume', parseJson, withKey, consumeQuotaRoute(services.quotas, services.accounts));
	// Execution reports and outcomes are authenticated by an HMAC over their exact bytes: those routes keep the raw body.
	app.use([EXECUTION_WEBHOOK_PATH, OUTCOME_WEBHOOK_PATH, ...PIPELINE_WEBHOOK_PATHS], express.raw({ type: () => true, limit: config.bodyLimit }));
	app.post('/api/billing/webhook', ...stripeWebhookRoute(services.billing, config.bodyLimit));
	app.use(parseJson);

	app.get('/metrics', metrics.serve);

	const api = express.Router();
	api.use(healthRoutes(services.health));
	api.use('/docs', documentSecurityHeaders, docsRoutes(hubOpenApiDocument()));
	api.use('/auth', limits.authByIp);
	api.use('/auth', authRoutes(services.auth, authenticate(services.apiKeys, services.auth)));
	api.use('/accounts', withKey, accountsRoutes(services.accounts));
	api.use('/api-keys', withKey, apiKeysRoutes(services.apiKeys, clock, config.auth.apiKeyRotationGraceSeconds));
	api.use('/users', withKey, usersRoutes(services.users));
	api.use('/templates', withKey, templatesRoutes(services.templates));
	// One mount for the three routers: a second withKey would count a stats request twice against the rate limit.
	api.use(
		'/agents',
		withKey,
		agentsRoutes(services.agents, services.accounts, services.planLimits, services.deployments),
		agentStatsRoutes(services.analytics, services.accounts),
		scenariosRoutes(services.scenarios, services.accounts),
	);
	// The OAuth callback first: a browser redirect from the provider, authenticated by its single-use state alone
	// (256 random bits: guessing one is hopeless, and a wrong one costs a Redis lookup).
	api.use('/social-accounts', socialAccountCallbackRoutes(services.socialAccounts));
	api.use('/social-accounts', withKey, socialAccountsRoutes(services.socialAccounts, services.accounts, services.interactions));
	api.use('/provider-accounts', withKey, providerAccountsRoutes(services.providerAccounts, services.accounts));
	api.use('/routing', withKey, routingRoutes(services.routing));
	api.use('/interactions', withKey, interactionsRoutes(services.interactions, services.accounts));
	api.use('/leads', withKey, leadsRoutes(services.leads, services.accounts));
	api.use('/conversations', withKey, conversationsRoutes(services.conversations, services.accounts));
	api.use('/ai', withKey, aiLimitsRoutes(services.aiLimits, services.accounts));
	api.use('/billing', withKey, billingRoutes(services.billing, services.quotas, services.accounts));
	api.use('/analytics', withKey, analyticsRoutes(services.analytics, services.accounts));
	// No API key: the HMAC signature is the authentication (see modules/executions/signature.ts).
	api.use(
		'/webhooks/n8n',
		executionWebhookRoutes(services.executions, config.webhookSecret, clock),
		outcomeWebhookRoutes(services.outcomes, config.webhookSecret, clock),
		pipelineWebhookRoutes(services.pipeline, config.webhookSecret, clock),
	);
	app.use('/api', api);

	app.use(routeNotFound);
	app.use(errorMiddleware(logger));
	return app;
}
