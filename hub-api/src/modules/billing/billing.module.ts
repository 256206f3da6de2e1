import Stripe from 'stripe';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { CacheInvalidations } from '../../cache/cache-invalidations';
import type { Clock } from '../../clock';
import type { BillingConfig } from '../../config';
import { BillingJobs } from './billing-jobs';
import { BillingRepository } from './billing.repository';
import { type AccountAgentsStopper, BillingService } from './billing.service';

export interface BillingRuntime {
	service: BillingService;
	/** Stops this replica's billing workers (waits for a job in progress). */
	close(): Promise<void>;
}

/** The official SDK, pointed at STRIPE_API_URL when set (a proxy, or the local fake in tests). */
export function createStripeClient(config: BillingConfig): Stripe {
	const url = config.apiUrl;
	return new Stripe(config.secretKey, {
		maxNetworkRetries: 2,
		timeout: 15_000,
		...(url && {
			host: url.hostname,
			port: url.port || (url.protocol === 'https:' ? 443 : 80),
			protocol: url.protocol === 'https:' ? 'https' : 'http',
		}),
	});
}

export interface CreateBillingDeps {
	dataSource: DataSource;
	redisUrl: string;
	redisNamespace: string;
	logger: Logger;
	clock: Clock;
	/** Told of every committed plan change, so the quota path's account caches drop the old plan at once. */
	invalidations?: CacheInvalidations;
	/** Stops a deactivated account's agents (the agent deployments). */
	agents: AccountAgentsStopper;
}

/**
 * Wires Stripe, the inbox and the bull queue, starts this replica's workers and queues again what a previous run left
 * unfinished (events not processed, deactivated accounts whose agents still run).
 */
export function createBilling(config: BillingConfig, deps: CreateBillingDeps): BillingRuntime {
	const jobs = new BillingJobs(deps.redisUrl, deps.redisNamespace, deps.logger);
	const service = new BillingService(
		createStripeClient(config),
		config,
		new BillingRepository(deps.dataSource),
		jobs,
		deps.clock,
		(accountId) => deps.invalidations?.invalidate('account', accountId),
	);
	jobs.start({
		processEvent: (eventId) => service.processEvent(eventId),
		checkGracePeriod: (accountId) => service.checkGracePeriod(accountId),
		stopAgents: (accountId) => service.stopAgentsOfDeactivatedAccount(accountId, deps.agents),
	});
	service
		.requeueUnprocessed()
		.then(
			(requeued) =>
				requeued.events + requeued.agentStops > 0 && deps.logger.info(requeued, 'requeued unfinished billing work'),
		)
		.catch((error: unknown) => deps.logger.warn({ err: error }, 'could not requeue unfinished billing work'));
	return { service, close: () => jobs.close() };
}
