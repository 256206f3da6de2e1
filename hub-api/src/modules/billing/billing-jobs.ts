import Queue from 'bull';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { BillingJobScheduler } from './billing.service';

export const BILLING_QUEUE_NAME = 'billing';

/** The bull key prefix of a hub's billing queue: `<REDIS_NAMESPACE>:bull`. */
export const billingQueuePrefix = (namespace: string) => `${namespace}:bull`;

export interface BillingJobHandlers {
	processEvent(eventId: string): Promise<unknown>;
	checkGracePeriod(accountId: string): Promise<void>;
	stopAgents(accountId: string): Promise<unknown>;
}

export type BillingJob =
	| { kind: 'stripe-event'; eventId: string }
	| { kind: 'grace-check'; accountId: string }
	| { kind: 'stop-agents'; accountId: string };

/** Up to ~2 minutes of backoff in total: enough to ride out a database failover without hiding a real bug. */
const EVENT_ATTEMPTS = 8;
const EVENT_BACKOFF_MS = 500;
/** While Redis is down, adding a job fails after this long (the webhook answers 503) instead of hanging. */
const REDIS_WAIT_MS = 2_000;

function within<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: redis did not answer within ${milliseconds} ms`)), milliseconds);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The billing queue on bull. Every hub replica runs its workers; bull hands each job to one of them. Job ids dedupe
 * concurrent deliveries of one Stripe event while the job is pending (the inbox row lock covers the rest), and
 * finished jobs are removed because billing_events is the record of what happened.
 */
export class BillingJobs implements BillingJobScheduler {
	private readonly queue: Queue.Queue<BillingJob>;
	private readonly logger: Logger;
	/** Our own connections (bull leaves clients it did not create to their creator). */
	private readonly connections: Redis[] = [];

	constructor(redisUrl: string, namespace: string, logger: Logger) {
		this.logger = logger;
		this.queue = new Queue<BillingJob>(BILLING_QUEUE_NAME, {
			prefix: billingQueuePrefix(namespace),
			defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
			// Commands fail fast while Redis is down, as the hub's own client does; bull's blocking and subscriber
			// connections must wait forever by design (bull refuses them otherwise).
			// The hub's ioredis is a major version ahead of the one bull's types name; bull uses only the common API.
			createClient: ((type: 'client' | 'subscriber' | 'bclient') => {
				const connection =
					type === 'client'
						? new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: REDIS_WAIT_MS })
						: new Redis(redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: false });
				connection.on('error', () => {}); // reported once by the queue's 'error' listener below
				this.connections.push(connection);
				return connection;
			}) as unknown as Queue.QueueOptions['createClient'],
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
				switch (job.data.kind) {
					case 'stripe-event':
						return handlers.processEvent(job.data.eventId);
					case 'grace-check':
						return handlers.checkGracePeriod(job.data.accountId);
					case 'stop-agents':
						return handlers.stopAgents(job.data.accountId);
				}
			})
			.catch((error: unknown) => this.logger.error({ err: error }, 'billing workers stopped'));
	}

	async enqueueEvent(eventId: string): Promise<void> {
		await within(
			this.queue.add(
				{ kind: 'stripe-event', eventId },
				{ jobId: `event:${eventId}`, attempts: EVENT_ATTEMPTS, backoff: { type: 'exponential', delay: EVENT_BACKOFF_MS } },
			),
			REDIS_WAIT_MS,
			'queueing a billing event',
		);
	}

	/** No job id: a check may reschedule itself while running, and an extra check is harmless (it recomputes). */
	async scheduleGraceCheck(accountId: string, delayMs: number): Promise<void> {
		const options = {
			delay: Math.max(0, delayMs),
			attempts: EVENT_ATTEMPTS,
			backoff: { type: 'exponential', delay: EVENT_BACKOFF_MS },
		};
		await within(this.queue.add({ kind: 'grace-check', accountId }, options), REDIS_WAIT_MS, 'scheduling a grace check');
	}

	/**
	 * One pending stop per account (job id): a second request while one waits or is retried adds nothing. Also
	 * retried with backoff, so an n8n outage of a couple of minutes delays the stop; a longer one exhausts the attempts
	 * and the next start-up queues it again (BillingService.requeueUnprocessed).
	 */
	async scheduleAgentStop(accountId: string): Promise<void> {
		const options = {
			jobId: `stop-agents:${accountId}`,
			attempts: EVENT_ATTEMPTS,
			backoff: { type: 'exponential', delay: EVENT_BACKOFF_MS },
		};
		await within(this.queue.add({ kind: 'stop-agents', accountId }, options), REDIS_WAIT_MS, 'scheduling an agent stop');
	}

	/** Waits for a job in progress (Redis up); with Redis down, gives up waiting and drops the connections. */
	async close(): Promise<void> {
		const closing = this.queue.close();
		if (this.connections[0]?.status === 'ready') {
			await within(closing, 10_000, 'closing the billing queue').catch((error: unknown) =>
				this.logger.warn({ err: error }, 'billing queue did not close cleanly'),
			);
		} else {
			closing.catch(() => {});
		}
		for (const connection of this.connections) connection.disconnect();
	}
}
