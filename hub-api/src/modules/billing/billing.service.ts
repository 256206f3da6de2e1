import type Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import type { PlanId } from '../../../../contracts/hub-api';
import type { Clock } from '../../clock';
import type { BillingConfig } from '../../config';
import { HubError } from '../../errors';
import type { Account } from '../accounts/account.entity';
import { PLANS, planForPrice, priceIdFor } from '../quotas/plans';
import type { BillingRepository } from './billing.repository';
import type { CheckoutRequest, CheckoutSession, PortalSession, WebhookReceipt } from './billing.schemas';
import { accountDeactivated } from './plan-limits.service';

/** Stripe signs `t=<unix seconds>`; an older signature is refused (replay protection), as Stripe's default. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What the billing service asks of the job queue (bull in production, see billing-jobs.ts). */
export interface BillingJobScheduler {
	enqueueEvent(eventId: string): Promise<void>;
	scheduleGraceCheck(accountId: string, delayMs: number): Promise<void>;
	/** Queues the stopping of a deactivated account's agents (retried while n8n fails). */
	scheduleAgentStop(accountId: string): Promise<void>;
}

/** What stops a deactivated account's agents, their n8n workflows included (AgentDeploymentsService). */
export interface AccountAgentsStopper {
	stopAllForAccount(accountId: string): Promise<unknown>;
}

/** What start-up queued again: events left unprocessed, and deactivated accounts whose agents still run. */
export interface Requeued {
	events: number;
	agentStops: number;
}

const customerIdOf = (customer: string | { id: string } | null | undefined): string | null =>
	typeof customer === 'string' ? customer : (customer?.id ?? null);

/** Stripe failures are the upstream's, never a 500 of ours: 503 when unreachable, 502 when it refused. */
function stripeFailure(error: unknown): HubError {
	const stripeError = error as { type?: string; message?: string } | null;
	if (stripeError?.type === 'StripeConnectionError') {
		return new HubError(503, 'stripe_unavailable', 'Stripe is unreachable, retry later', undefined, error);
	}
	return new HubError(502, 'stripe_error', `Stripe refused the request: ${stripeError?.message ?? 'unknown error'}`, {
		stripeErrorType: stripeError?.type,
	}, error);
}

export class BillingService {
	private readonly stripe: Stripe;
	private readonly config: BillingConfig;
	private readonly repository: BillingRepository;
	private readonly jobs: BillingJobScheduler;
	private readonly clock: Clock;
	private readonly planChanged: (accountId: string) => void;
	/** What a transaction (by its manager) leaves for after its commit, by key so that asking twice does it once. */
	private readonly afterCommit = new WeakMap<EntityManager, Map<string, () => void | Promise<void>>>();

	constructor(
		stripe: Stripe,
		config: BillingConfig,
		repository: BillingRepository,
		jobs: BillingJobScheduler,
		clock: Clock,
		planChanged: (accountId: string) => void = () => {},
	) {
		this.stripe = stripe;
		this.config = config;
		this.repository = repository;
		this.jobs = jobs;
		this.clock = clock;
		this.planChanged = planChanged;
	}

	/**
	 * A transaction whose consequences outside the database (a plan change announced to the caches, agents to stop in
	 * n8n) run after the commit, never before nor for a rollback: a cache refilled before the commit would keep the old
	 * plan, and a job run before it would find the account not deactivated yet. If one of them fails, the others still
	 * run and this throws: the transaction stays committed (see requeueUnprocessed for what start-up catches up on).
	 */
	private async billingTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
		const effects = new Map<string, () => void | Promise<void>>();
		const result = await this.repository.transaction((manager) => {
			this.afterCommit.set(manager, effects);
			return work(manager);
		});
		const failures: unknown[] = [];
		for (const effect of effects.values()) {
			try {
				await effect();
			} catch (error) {
				failures.push(error);
			}
		}
		if (failures.length > 0) {
			const reasons = failures.map((error) => (error instanceof Error ? error.message : String(error)));
			throw new AggregateError(failures, `committed, but a step after the commit failed: ${reasons.join('; ')}`);
		}
		return result;
	}

	/** Runs `effect` once `manager`'s transaction (a billingTransaction) has committed. */
	private onCommit(manager: EntityManager, key: string, effect: () => void | Promise<void>): void {
		const effects = this.afterCommit.get(manager);
		if (!effects) throw new Error(`${key}: not inside a billing transaction`);
		effects.set(key, effect);
	}

	/** A Stripe-hosted Checkout page subscribing the account's (single) Stripe customer to the plan's price. */
	async checkout(account: Account, request: CheckoutRequest): Promise<CheckoutSession> {
		const price = priceIdFor(this.config.prices, request.plan, request.interval);
		if (!price) {
			throw new HubError(422, 'interval_not_offered', `${PLANS[request.plan].name} is not sold per ${request.interval}`);
		}
		const customer = await this.ensureCustomer(account);
		// A second subscription would bill twice: plan changes of a subscriber go through the Customer Portal.
		const entitled = await this.repository.transaction((manager) =>
			this.repository.entitledPlans(manager, account.id),
		);
		if (entitled.length > 0) {
			throw new HubError(409, 'already_subscribed', 'The account already has a subscription; use the billing portal');
		}
		const session = await this.stripe.checkout.sessions
			.create({
				mode: 'subscription',
				customer,
				client_reference_id: account.id,
				line_items: [{ price, quantity: 1 }],
				success_url: request.successUrl,
				cancel_url: request.cancelUrl,
				metadata: { accountId: account.id, plan: request.plan, interval: request.interval },
				subscription_data: { metadata: { accountId: account.id } },
			})
			.catch((error: unknown) => {
				throw stripeFailure(error);
			});
		return { id: session.id, url: session.url };
	}

	/** A Customer Portal session where the subscriber changes plan, payment method or cancels. */
	async portal(account: Account, returnUrl: string): Promise<PortalSession> {
		const billing = await this.repository.findCustomer(account.id);
		if (!billing?.stripeCustomerId) {
			throw new HubError(409, 'no_billing_customer', 'The account has never subscribed; start with a checkout');
		}
		const session = await this.stripe.billingPortal.sessions
			.create({ customer: billing.stripeCustomerId, return_url: returnUrl })
			.catch((error: unknown) => {
				throw stripeFailure(error);
			});
		return { url: session.url };
	}

	/**
	 * One Stripe customer per account, ever: the billing row is locked while the customer is created, so concurrent
	 * checkouts wait for the first; the idempotency key covers a crash between Stripe's answer and our commit.
	 */
	private ensureCustomer(account: Account): Promise<string> {
		return this.repository.transaction(async (manager) => {
			const billing = await this.repository.lockCustomer(manager, account.id);
			if (billing.deactivatedAt) throw accountDeactivated();
			if (billing.stripeCustomerId) return billing.stripeCustomerId;
			const customer = await this.stripe.customers
				.create(
					{ name: account.name, metadata: { accountId: account.id } },
					{ idempotencyKey: `skybot-customer-${account.id}` },
				)
				.catch((error: unknown) => {
					throw stripeFailure(error);
				});
			await this.repository.setStripeCustomer(manager, account.id, customer.id);
			return customer.id;
		});
	}

	/**
	 * Verifies Stripe's signature on the exact bytes received, stores the event in the inbox, then queues it. Stripe
	 * gets its 2xx only once the event is stored and queued; if queueing fails it gets a 503 and redelivers, and the
	 * redelivery (a duplicate for the inbox) is queued again. A duplicate of a processed event changes nothing.
	 */
	async receiveWebhook(rawBody: Buffer, signature: string): Promise<WebhookReceipt> {
		let event: Stripe.Event;
		try {
			event = this.stripe.webhooks.constructEvent(
				rawBody,
				signature,
				this.config.webhookSecret,
				WEBHOOK_TOLERANCE_SECONDS,
				undefined,
				// The SDK takes the receipt time in milliseconds.
				this.clock().getTime(),
			);
		} catch (error) {
			throw new HubError(400, 'invalid_signature', 'Stripe signature verification failed', undefined, error);
		}
		if (typeof event.id !== 'string' || typeof event.type !== 'string' || !Number.isInteger(event.created)) {
			throw new HubError(400, 'invalid_event', 'Signed payload is not a Stripe event');
		}
		const isNew = await this.repository.insertEvent(event, rawBody.toString('utf8')).catch((error: unknown) => {
			throw new HubError(503, 'billing_inbox_unavailable', 'Cannot store the event, retry later', undefined, error);
		});
		if (!isNew && (await this.repository.isEventProcessed(event.id))) return { received: true, duplicate: true };
		await this.jobs.enqueueEvent(event.id).catch((error: unknown) => {
			throw new HubError(503, 'billing_queue_unavailable', 'Cannot queue the event, retry later', undefined, error);
		});
		return { received: true, duplicate: !isNew };
	}

	/**
	 * Start-up: queues every stored event not yet processed (after a crash or a queue outage), and the stopping of the
	 * agents of every deactivated account that still has some running (its job could not be queued after the commit,
	 * or ran out of attempts while n8n was down).
	 */
	async requeueUnprocessed(): Promise<Requeued> {
		const ids = await this.repository.unprocessedEventIds();
		for (const id of ids) await this.jobs.enqueueEvent(id);
		const accounts = await this.repository.deactivatedAccountsWithRunningAgents();
		for (const accountId of accounts) await this.jobs.scheduleAgentStop(accountId);
		return { events: ids.length, agentStops: accounts.length };
	}

	/**
	 * The bull job: applies one stored event exactly once. The inbox row is locked for the whole transaction and
	 * marked processed in it, so concurrent or repeated jobs of one event see it done and change nothing.
	 */
	async processEvent(eventId: string): Promise<string> {
		try {
			return await this.billingTransaction(async (manager) => {
				const stored = await this.repository.lockEvent(manager, eventId);
				if (!stored) return 'unknown_event';
				if (stored.processedAt) return 'already_processed';
				const outcome = await this.apply(manager, stored.payload as Stripe.Event);
				await this.repository.markEventProcessed(manager, eventId, outcome, this.clock());
				return outcome;
			});
		} catch (error) {
			await this.repository.recordEventFailure(eventId, String(error)).catch(() => {});
			throw error;
		}
	}

	/** The delayed job at the end of a grace period: downgrades if the payment is still failing, else does nothing. */
	async checkGracePeriod(accountId: string): Promise<void> {
		const deadline = await this.billingTransaction(async (manager) => {
			if (!(await this.repository.accountExists(manager, accountId))) return null;
			await this.recomputePlan(manager, accountId, 'grace_period_over', null);
			const billing = await this.repository.findCustomer(accountId, manager);
			return billing?.paymentFailedAt ? this.graceDeadline(billing.paymentFailedAt) : null;
		});
		// Woken early (the clock disagrees with the queue's timer): check again when the grace period really ends.
		const remaining = deadline ? deadline.getTime() - this.clock().getTime() : 0;
		if (deadline && remaining > 0) await this.jobs.scheduleGraceCheck(accountId, remaining);
	}

	/**
	 * The bull job queued once a customer.deleted committed: stops the account's agents, in n8n too. Only for an
	 * account that really is deactivated, so a stray or replayed job stops nothing; stopping again is a no-op.
	 */
	async stopAgentsOfDeactivatedAccount(accountId: string, agents: AccountAgentsStopper): Promise<string> {
		const billing = await this.repository.findCustomer(accountId);
		if (!billing?.deactivatedAt) return 'not_deactivated';
		await agents.stopAllForAccount(accountId);
		return 'agents_stopped';
	}

	private graceDeadline(paymentFailedAt: Date): Date {
		return new Date(paymentFailedAt.getTime() + this.config.graceDays * DAY_MS);
	}

	private async accountFor(manager: EntityManager, customer: string | null, fallbackAccountId?: string) {
		const byCustomer = customer ? await this.repository.accountIdForCustomer(manager, customer) : null;
		if (byCustomer) return byCustomer;
		if (fallbackAccountId && (await this.repository.accountExists(manager, fallbackAccountId))) {
			return fallbackAccountId;
		}
		return null;
	}

	/**
	 * accountFor, then that account's billing row (created if missing) locked until the transaction ends, so the
	 * events of one customer change it one at a time.
	 */
	private async lockedAccountFor(manager: EntityManager, customer: string | null, fallbackAccountId?: string) {
		const accountId = await this.accountFor(manager, customer, fallbackAccountId);
		if (accountId) await this.repository.lockCustomer(manager, accountId);
		return accountId;
	}

	private async apply(manager: EntityManager, event: Stripe.Event): Promise<string> {
		const eventAt = new Date(event.created * 1000);
		switch (event.type) {
			case 'checkout.session.completed': {
				const session = event.data.object;
				const accountId = session.client_reference_id;
				const customer = customerIdOf(session.customer);
				if (!accountId || !customer || !(await this.repository.accountExists(manager, accountId))) {
					return 'ignored_unknown_account';
				}
				const billing = await this.repository.lockCustomer(manager, accountId);
				if (!billing.stripeCustomerId) await this.repository.setStripeCustomer(manager, accountId, customer);
				return 'customer_linked';
			}
			case 'customer.subscription.created':
			case 'customer.subscription.updated':
			case 'customer.subscription.deleted': {
				const subscription = event.data.object;
				const accountId = await this.accountFor(
					manager,
					customerIdOf(subscription.customer),
					subscription.metadata?.accountId,
				);
				if (!accountId) return 'ignored_unknown_customer';
				const priceId = subscription.items?.data?.[0]?.price?.id ?? null;
				const applied = await this.repository.upsertSubscription(manager, {
					id: subscription.id,
					accountId,
					status: event.type === 'customer.subscription.deleted' ? 'canceled' : subscription.status,
					priceId,
					plan: planForPrice(this.config.prices, priceId) ?? null,
					stateAt: eventAt,
				});
				if (!applied) return 'ignored_stale_state';
				await this.recomputePlan(manager, accountId, event.type, event.id);
				return 'subscription_applied';
			}
			case 'invoice.paid': {
				const accountId = await this.lockedAccountFor(manager, customerIdOf(event.data.object.customer));
				if (!accountId) return 'ignored_unknown_customer';
				if (!(await this.repository.recordPaymentSucceeded(manager, accountId, eventAt))) return 'ignored_stale_state';
				await this.recomputePlan(manager, accountId, event.type, event.id);
				return 'payment_recorded';
			}
			case 'invoice.payment_failed': {
				const accountId = await this.lockedAccountFor(manager, customerIdOf(event.data.object.customer));
				if (!accountId) return 'ignored_unknown_customer';
				const failedSince = await this.repository.recordPaymentFailed(manager, accountId, eventAt);
				if (!failedSince) return 'ignored_stale_state';
				const deadline = this.graceDeadline(failedSince);
				await this.jobs.scheduleGraceCheck(accountId, deadline.getTime() - this.clock().getTime());
				await this.recomputePlan(manager, accountId, event.type, event.id);
				return 'grace_period_started';
			}
			case 'customer.deleted': {
				const { id: customer, metadata } = event.data.object;
				const accountId = await this.lockedAccountFor(manager, customer, metadata?.accountId);
				if (!accountId) return 'ignored_unknown_customer';
				await this.repository.deactivate(manager, accountId, eventAt);
				await this.recomputePlan(manager, accountId, event.type, event.id);
				// The agents are stopped by a job of their own, the one place that changes their status: it unpublishes
				// workflows in n8n, which may be down (the job is retried) and must not hold this transaction open.
				this.onCommit(manager, `stop-agents:${accountId}`, () => this.jobs.scheduleAgentStop(accountId));
				return 'account_deactivated';
			}
			default:
				return 'ignored_event_type';
		}
	}

	/**
	 * The account's plan follows from its billing state alone (never from which event came last): the best plan of
	 * its entitled subscriptions, unless it is deactivated or its grace period after a failed payment is over.
	 */
	private async recomputePlan(
		manager: EntityManager,
		accountId: string,
		reason: string,
		eventId: string | null,
	): Promise<void> {
		const current = await this.repository.lockAccountPlan(manager, accountId);
		if (!current) return;
		const billing = await this.repository.findCustomer(accountId, manager);
		const now = this.clock();
		const graceOver = billing?.paymentFailedAt && this.graceDeadline(billing.paymentFailedAt) <= now;
		let target: PlanId = 'freemium';
		if (!billing?.deactivatedAt && !graceOver) {
			for (const plan of await this.repository.entitledPlans(manager, accountId)) {
				if (PLANS[plan].rank > PLANS[target].rank) target = plan;
			}
		}
		if (target !== current) {
			await this.repository.changePlan(manager, { accountId, from: current, to: target, reason, eventId, at: now });
			this.onCommit(manager, `plan-changed:${accountId}`, () => this.planChanged(accountId));
		}
	}
}
