import Stripe from 'stripe';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { CacheInvalidations } from '../../cache/cache-invalidations';
import type { Clock } from '../../clock';
import type { BillingConfig } from '../../config';
import { BillingJobs } from './billing-jobs';
import { BillingRepository } from './billing.repository';
import { BillingService } from './billing.service';

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

export interface StartBillingDeps {
	dataSource: DataSource;
	redisUrl: string;
	redisNamespace: string;
	logger: Logger;
	clock: Clock;
	/** Told of every committed plan change, so the quota path's account caches drop the old plan at once. */
	invalidations?: CacheInvalidations;
}

/** Wires Stripe, the inbox and the bull workers, and requeues events left unprocessed by a previous run. */
export function startBilling(config: BillingConfig, deps: StartBillingDeps): BillingRuntime {
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
	});
	service
		.requeueUnprocessed()
		.then((count) => count > 0 && deps.logger.info({ count }, 'requeued unprocessed billing events'))
		.catch((error: unknown) => deps.logger.warn({ err: error }, 'could not requeue unprocessed billing events'));
	return { service, close: () => jobs.close() };
}
