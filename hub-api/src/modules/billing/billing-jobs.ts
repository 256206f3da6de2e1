import Queue from 'bull';
import type { Logger } from 'pino';
import type { BillingJobScheduler } from './billing.service';

export const BILLING_QUEUE_NAME = 'billing';

/** The bull key prefix of a hub's billing queue: `<REDIS_NAMESPACE>:bull`. */
export const billingQueuePrefix = (namespace: string) => `${namespace}:bull`;

export interface BillingJobHandlers {
	processEvent(eventId: string): Promise<unknown>;
	checkGracePeriod(accountId: string): Promise<void>;
}

type BillingJob = { kind: 'stripe-event'; eventId: string } | { kind: 'grace-check'; accountId: string };

/** Up to ~2 minutes of backoff in total: enough to ride out a database failover without hiding a real bug. */
const EVENT_ATTEMPTS = 8;
const EVENT_BACKOFF_MS = 500;

/**
 * The billing queue on bull. Every hub replica runs its workers; bull hands each job to one of them. Job ids dedupe
 * concurrent deliveries of one Stripe event while the job is pending (the inbox row lock covers the rest), and
 * finished jobs are removed because billing_events is the record of what happened.
 */
export class BillingJobs implements BillingJobScheduler {
	private readonly queue: Queue.Queue<BillingJob>;
	private readonly logger: Logger;

	constructor(redisUrl: string, namespace: string, logger: Logger) {
		this.logger = logger;
		this.queue = new Queue<BillingJob>(BILLING_QUEUE_NAME, redisUrl, {
			prefix: billingQueuePrefix(namespace),
			defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
		});
		this.queue.on('error', (error) => logger.warn({ err: error }, 'billing queue error'));
		this.queue.on('failed', (job, error) =>
			logger.warn({ err: error, job: job.data, attempt: job.attemptsMade }, 'billing job failed'),
		);
	}

	/** Starts this replica's workers; resolves at once (bull keeps them running until close). */
	start(handlers: BillingJobHandlers): void {
		this.queue
			.process(4, async (job) => {
				if (job.data.kind === 'stripe-event') return handlers.processEvent(job.data.eventId);
				return handlers.checkGracePeriod(job.data.accountId);
			})
			.catch((error: unknown) => this.logger.error({ err: error }, 'billing workers stopped'));
	}

	async enqueueEvent(eventId: string): Promise<void> {
		await this.queue.add(
			{ kind: 'stripe-event', eventId },
			{ jobId: `event:${eventId}`, attempts: EVENT_ATTEMPTS, backoff: { type: 'exponential', delay: EVENT_BACKOFF_MS } },
		);
	}

	/** No job id: a check may reschedule itself while running, and an extra check is harmless (it recomputes). */
	async scheduleGraceCheck(accountId: string, delayMs: number): Promise<void> {
		await this.queue.add(
			{ kind: 'grace-check', accountId },
			{
				delay: Math.max(0, delayMs),
				attempts: EVENT_ATTEMPTS,
				backoff: { type: 'exponential', delay: EVENT_BACKOFF_MS },
			},
		);
	}

	close(): Promise<void> {
		return this.queue.close();
	}
}
