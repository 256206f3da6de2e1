import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { CacheInvalidations } from './cache/cache-invalidations';
import type { Clock } from './clock';
import type { HubConfig } from './config';
import { HubEvents } from './hub-events';
import { AccountsRepository } from './modules/accounts/accounts.repository';
import { AccountsService } from './modules/accounts/accounts.service';
import { AiContextRepository } from './modules/ai-limits/ai-context.repository';
import { AiLimitsService } from './modules/ai-limits/ai-limits.service';
import { AiPermits } from './modules/ai-limits/ai-permits';
import { AnswerCache } from './modules/ai-limits/answer-cache';
import { AgentDeploymentsService } from './modules/agents/agent-deployments.service';
import { AgentEvents } from './modules/agents/agent-events';
import { AgentsRepository } from './modules/agents/agents.repository';
import { AgentsService } from './modules/agents/agents.service';
import { AnalyticsRepository } from './modules/analytics/analytics.repository';
import { AnalyticsService } from './modules/analytics/analytics.service';
import { ApiKeysRepository } from './modules/api-keys/api-keys.repository';
import { ApiKeysService } from './modules/api-keys/api-keys.service';
import { AuthService } from './modules/auth/auth.service';
import { LoginThrottle } from './modules/auth/login-throttle';
import { createBilling } from './modules/billing/billing.module';
import { ConversationsRepository } from './modules/conversations/conversations.repository';
import { ConversationsService } from './modules/conversations/conversations.service';
import { startIdleSweep } from './modules/conversations/idle-sweep';
import { BillingRepository } from './modules/billing/billing.repository';
import { PlanLimitsService } from './modules/billing/plan-limits.service';
import { ExecutionsRepository } from './modules/executions/executions.repository';
import { ExecutionsService } from './modules/executions/executions.service';
import { HealthService } from './modules/health/health.service';
import { InteractionsRepository } from './modules/interactions/interactions.repository';
import { InteractionsService } from './modules/interactions/interactions.service';
import { OutcomesRepository } from './modules/outcomes/outcomes.repository';
import { OutcomesService } from './modules/outcomes/outcomes.service';
import { LeadsRepository } from './modules/leads/leads.repository';
import { LeadsService } from './modules/leads/leads.service';
import { ProviderAccountsRepository } from './modules/provider-accounts/provider-accounts.repository';
import { ProviderAccountsService } from './modules/provider-accounts/provider-accounts.service';
import { PipelineStore } from './modules/pipeline/pipeline-store';
import { PipelineService } from './modules/pipeline/pipeline.service';
import { agentScenarios } from './modules/pipeline/scenario-source';
import { QuotaStore } from './modules/quotas/quota-store';
import { QuotasService } from './modules/quotas/quotas.service';
import { RoutingService } from './modules/routing/routing.service';
import { OAuthStates } from './modules/social-accounts/oauth-states';
import { MetaProvider, MetaSendApi } from './modules/social-accounts/providers/meta';
import { TikTokProvider } from './modules/social-accounts/providers/tiktok';
import { YouTubeProvider } from './modules/social-accounts/providers/youtube';
import { SocialAccountsRepository } from './modules/social-accounts/social-accounts.repository';
import { SocialAccountsService } from './modules/social-accounts/social-accounts.service';
import { YouTubeQuota } from './modules/social-accounts/youtube-quota';
import { SecretBox } from './secrets/secret-box';
import { ScenariosRepository } from './modules/scenarios/scenarios.repository';
import { ScenariosService } from './modules/scenarios/scenarios.service';
import { defaultTemplatesDir, loadTemplateCatalogue } from './modules/templates/template-catalogue';
import { TemplatesService } from './modules/templates/templates.service';
import { UsersRepository } from './modules/users/users.repository';
import { UsersService } from './modules/users/users.service';
import { N8nClient } from './n8n/n8n-client';

/**
 * The composition root: every service of the hub is built here, once, and nowhere else. Routes (app.ts), workers
 * (billing's bull jobs), socket.io (server.ts) and the CLI receive what they need from it.
 *
 * createDatabaseServices: what needs PostgreSQL only (the CLI and seeding use it without Redis).
 * createHubServices: all of it, for a running hub.
 */
export function createDatabaseServices(dataSource: DataSource, clock: Clock, invalidations = new CacheInvalidations()) {
	const apiKeys = new ApiKeysService(new ApiKeysRepository(dataSource), clock, invalidations);
	const accounts = new AccountsService(dataSource, new AccountsRepository(dataSource), apiKeys, invalidations);
	const providerAccountsRepository = new ProviderAccountsRepository(dataSource);
	const agentsRepository = new AgentsRepository(dataSource);
	return {
		apiKeys,
		accounts,
		agents: new AgentsService(agentsRepository),
		// Each agent's versioned scenario; the pipeline's admission reads it (forAgent) for every message.
		scenarios: new ScenariosService(new ScenariosRepository(dataSource), agentsRepository, clock),
		planLimits: new PlanLimitsService(new BillingRepository(dataSource)),
		providerAccounts: new ProviderAccountsService(providerAccountsRepository),
		routing: new RoutingService(providerAccountsRepository),
		leads: new LeadsService(new LeadsRepository(dataSource), clock),
		users: new UsersService(new UsersRepository(dataSource)),
		analytics: new AnalyticsService(new AnalyticsRepository(dataSource), clock),
	};
}

export interface HubInfrastructure {
	config: Pick<
		HubConfig,
		| 'webhookSecret'
		| 'auth'
		| 'billing'
		| 'redisUrl'
		| 'redisNamespace'
		| 'deploy'
		| 'conversations'
		| 'pipeline'
		| 'answerCache'
		| 'aiRequestsPerMinute'
		| 'encryptionKeys'
		| 'social'
	>;
	dataSource: DataSource;
	/** The hub's command connection (quotas, throttles, rate limits, cache invalidations, health). */
	redis: Redis;
	logger: Logger;
	clock: Clock;
	/** Revoked keys and plan changes reach the hot path's caches (server.ts also feeds it the other replicas'). */
	invalidations: CacheInvalidations;
	/**
	 * Where services publish what live clients hear (execution reports, agent status, conversation handlers);
	 * server.ts feeds socket.io.
	 */
	events?: HubEvents;
	/** The hub's URL as n8n reaches it when HUB_PUBLIC_URL is unset (the listening URL, known once server.ts listens). */
	listeningUrl: () => string;
}

/**
 * Every service of a running hub. Billing (only when Stripe is configured) starts its workers here: they need the
 * agent deployments to stop a deactivated account's agents, so those are built first. Close what this returns with
 * `services.close()`; the connections it was given are the caller's to close.
 */
export function createHubServices(infrastructure: HubInfrastructure) {
	const { config, dataSource, redis, logger, clock, invalidations, events = new HubEvents() } = infrastructure;
	const database = createDatabaseServices(dataSource, clock, invalidations);
	// The catalogue is part of the release: read once here, a broken template stops start-up.
	const templates = new TemplatesService(loadTemplateCatalogue(config.deploy.templatesDir ?? defaultTemplatesDir()));
	const agentEvents = new AgentEvents();
	agentEvents.on('status', ({ accountId, agentId, status, at }) =>
		events.publish('agent:status', { accountId, agentId, status, at }),
	);
	const deployments = new AgentDeploymentsService({
		repository: new AgentsRepository(dataSource),
		agents: database.agents,
		templates,
		n8n: config.deploy.n8n && new N8nClient({ baseUrl: config.deploy.n8n.url, apiKey: config.deploy.n8n.apiKey }),
		apiKeys: database.apiKeys,
		hubUrl: () => config.deploy.publicUrl ?? infrastructure.listeningUrl(),
		webhookSecret: config.webhookSecret,
		events: agentEvents,
		clock,
		agentLimit: database.planLimits,
	});
	const billing = config.billing
		? createBilling(config.billing, {
				dataSource,
				redisUrl: config.redisUrl,
				redisNamespace: config.redisNamespace,
				logger,
				clock,
				invalidations,
				agents: deployments,
			})
		: null;
	const conversations = new ConversationsService(
		new ConversationsRepository(dataSource),
		events,
		clock,
		config.conversations,
	);
	const idleSweep = startIdleSweep(conversations, config.conversations.sweepIntervalMs, logger);
	const interactionsRepository = new InteractionsRepository(dataSource);
	// Logging a message of a conversation creates it or marks its activity (human handover).
	const interactions = new InteractionsService(interactionsRepository, conversations, clock);
	const executionsRepository = new ExecutionsRepository(dataSource);
	const executions = new ExecutionsService(executionsRepository, events, clock);
	// REDIS_NAMESPACE: replicas share quota counters; another deployment on the same Redis counts on its own.
	const quotas = new QuotasService(new QuotaStore(redis, config.redisNamespace), clock);
	// REDIS_NAMESPACE: replicas share the cached answers; outcomes fill the cache, the pipeline admission reads it.
	const answerCache = new AnswerCache(redis, config.redisNamespace, logger);
	// REDIS_NAMESPACE: replicas (and so every n8n worker calling them) share each account's model-request budget.
	const aiLimits = new AiLimitsService(
		new AiPermits(redis, config.redisNamespace),
		new AiContextRepository(dataSource),
		config.aiRequestsPerMinute,
	);
	// One record per message: the interaction and the execution report in one transaction.
	const outcomes = new OutcomesService(
		new OutcomesRepository(dataSource, interactionsRepository, executionsRepository),
		executionsRepository,
		executions,
		interactions,
		quotas,
		clock,
		{ cache: answerCache, ttlSeconds: config.answerCache.ttlSeconds },
		database.leads,
	);
	const { social } = config;
	const socialAccounts = new SocialAccountsService({
		providers: {
			meta: social.meta && new MetaProvider(social.meta, clock),
			tiktok: social.tiktok && new TikTokProvider(social.tiktok, clock),
			youtube: social.youtube && new YouTubeProvider(social.youtube, clock),
		},
		metaSend: new MetaSendApi(social.metaSend),
		metaOperatorToken: social.metaSend.operatorAccessToken,
		routes: new ProviderAccountsRepository(dataSource),
		repository: config.encryptionKeys && new SocialAccountsRepository(dataSource, new SecretBox(config.encryptionKeys)),
		// REDIS_NAMESPACE: the callback may reach another replica than the one that issued the state.
		states: new OAuthStates(redis, config.redisNamespace, clock),
		// Per Google project (the OAuth client), shared by every replica and every tenant's channel.
		youtubeQuota: social.youtube && new YouTubeQuota(redis, config.redisNamespace, social.youtube.clientId, social.youtube.dailyQuota, clock),
		redirectBaseUrl: () => social.redirectBaseUrl ?? config.deploy.publicUrl ?? infrastructure.listeningUrl(),
		events,
		clock,
		logger,
	});
	return {
		...database,
		socialAccounts,
		events,
		conversations,
		interactions,
		agentEvents,
		templates,
		deployments,
		/** Null without STRIPE_SECRET_KEY: the billing routes answer 503 billing_not_configured. */
		billing: billing?.service ?? null,
		quotas,
		aiLimits,
		executions,
		outcomes,
		pipeline: new PipelineService({
			routing: database.routing,
			conversations,
			scenarios: agentScenarios(database.scenarios, database.leads, config.pipeline.burstWindowSeconds),
			answers: { cache: answerCache, ttlSeconds: config.answerCache.ttlSeconds },
			quotas,
			aiLimits,
			outcomes,
			// REDIS_NAMESPACE: replicas share which messages were decided and each conversation's burst.
			store: new PipelineStore(redis, config.redisNamespace),
			clock,
			logger,
		}),
		// REDIS_NAMESPACE: hubs sharing it (replicas) share the failed-login counters.
		auth: new AuthService({
			dataSource,
			accounts: database.accounts,
			throttle: new LoginThrottle(redis, config.redisNamespace),
			config: config.auth,
			clock,
		}),
		health: new HealthService(dataSource, redis),
		/** Stops the billing workers (waits for a job in progress) and the idle-handover sweep. */
		close: async () => {
			await idleSweep.stop();
			await billing?.close();
		},
	};
}

export type HubServices = ReturnType<typeof createHubServices>;
