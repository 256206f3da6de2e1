import type { DataSource, EntityManager } from 'typeorm';
import type { PlanId } from '../../../../contracts/hub-api';

/** Subscription statuses that still grant the plan (past_due does until the grace period ends). */
export const ENTITLED_STATUSES = ['active', 'trialing', 'past_due'] as const;

export interface BillingCustomerRow {
	accountId: string;
	stripeCustomerId: string | null;
	paymentFailedAt: Date | null;
	deactivatedAt: Date | null;
}

export interface StoredEvent {
	id: string;
	type: string;
	payload: unknown;
	processedAt: Date | null;
}

export interface SubscriptionState {
	id: string;
	accountId: string;
	status: string;
	priceId: string | null;
	plan: PlanId | null;
	/** When the event carrying this state was created at Stripe. */
	stateAt: Date;
}

const customerColumns = `account_id AS "accountId", stripe_customer_id AS "stripeCustomerId",
	payment_failed_at AS "paymentFailedAt", deactivated_at AS "deactivatedAt"`;

/** TypeORM answers UPDATE … RETURNING with [rows, affected count] (INSERT and SELECT with the rows alone). */
async function updateReturning<Row>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<Row[]> {
	const [rows] = (await manager.query(sql, parameters)) as [Row[], number];
	return rows;
}

/** Plain SQL: every write here is a conditional upsert or a row lock that the ORM's save() cannot express. */
export class BillingRepository {
	constructor(private readonly dataSource: DataSource) {}

	transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
		return this.dataSource.transaction(work);
	}

	/** The account's billing row, created if missing and locked until the transaction ends. */
	async lockCustomer(manager: EntityManager, accountId: string): Promise<BillingCustomerRow> {
		await manager.query(`INSERT INTO billing_customers (account_id) VALUES ($1) ON CONFLICT DO NOTHING`, [accountId]);
		const [row] = await manager.query(
			`SELECT ${customerColumns} FROM billing_customers WHERE account_id = $1 FOR UPDATE`,
			[accountId],
		);
		return row as BillingCustomerRow;
	}

	async findCustomer(accountId: string, manager?: EntityManager): Promise<BillingCustomerRow | null> {
		const [row] = await (manager ?? this.dataSource).query(
			`SELECT ${customerColumns} FROM billing_customers WHERE account_id = $1`,
			[accountId],
		);
		return (row as BillingCustomerRow | undefined) ?? null;
	}

	async setStripeCustomer(manager: EntityManager, accountId: string, stripeCustomerId: string): Promise<void> {
		await manager.query(`UPDATE billing_customers SET stripe_customer_id = $2 WHERE account_id = $1`, [
			accountId,
			stripeCustomerId,
		]);
	}

	async accountIdForCustomer(manager: EntityManager, stripeCustomerId: string): Promise<string | null> {
		const [row] = await manager.query(`SELECT account_id FROM billing_customers WHERE stripe_customer_id = $1`, [
			stripeCustomerId,
		]);
		return (row as { account_id: string } | undefined)?.account_id ?? null;
	}

	async accountExists(manager: EntityManager, accountId: string): Promise<boolean> {
		const rows: unknown[] = await manager.query(`SELECT 1 FROM accounts WHERE id = $1`, [accountId]);
		return rows.length > 0;
	}

	/** Inbox write: true when this event id is new. */
	async insertEvent(event: { id: string; type: string; created: number }, payload: string): Promise<boolean> {
		const rows: unknown[] = await this.dataSource.query(
			`INSERT INTO billing_events (id, type, payload, event_created_at) VALUES ($1, $2, $3::jsonb, to_timestamp($4))
			 ON CONFLICT (id) DO NOTHING RETURNING id`,
			[event.id, event.type, payload, event.created],
		);
		return rows.length === 1;
	}

	async isEventProcessed(eventId: string): Promise<boolean> {
		const [row] = await this.dataSource.query(`SELECT processed_at FROM billing_events WHERE id = $1`, [eventId]);
		return Boolean((row as { processed_at: Date | null } | undefined)?.processed_at);
	}

	/** Locks the inbox row, so concurrent deliveries of one event are applied one after the other. */
	async lockEvent(manager: EntityManager, eventId: string): Promise<StoredEvent | null> {
		const [row] = await manager.query(
			`SELECT id, type, payload, processed_at AS "processedAt" FROM billing_events WHERE id = $1 FOR UPDATE`,
			[eventId],
		);
		return (row as StoredEvent | undefined) ?? null;
	}

	async markEventProcessed(manager: EntityManager, eventId: string, outcome: string, at: Date): Promise<void> {
		await manager.query(
			`UPDATE billing_events SET processed_at = $2, outcome = $3, attempts = attempts + 1, last_error = NULL
			 WHERE id = $1`,
			[eventId, at, outcome],
		);
	}

	async recordEventFailure(eventId: string, error: string): Promise<void> {
		await this.dataSource.query(`UPDATE billing_events SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
			eventId,
			error.slice(0, 2000),
		]);
	}

	async unprocessedEventIds(): Promise<string[]> {
		const rows: { id: string }[] = await this.dataSource.query(
			`SELECT id FROM billing_events WHERE processed_at IS NULL ORDER BY received_at LIMIT 1000`,
		);
		return rows.map((row) => row.id);
	}

	/**
	 * Stores a subscription state unless a newer one is already stored: the row keeps the time of the event that
	 * carried it, and a canceled subscription stays canceled (Stripe never reactivates one). True when applied.
	 */
	async upsertSubscription(manager: EntityManager, state: SubscriptionState): Promise<boolean> {
		const rows: unknown[] = await manager.query(
			`INSERT INTO billing_subscriptions (id, account_id, status, price_id, plan, state_at)
			 VALUES ($1, $2, $3, $4, $5, $6)
			 ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, price_id = EXCLUDED.price_id,
				plan = EXCLUDED.plan, state_at = EXCLUDED.state_at, updated_at = now()
			 WHERE billing_subscriptions.state_at <= EXCLUDED.state_at AND billing_subscriptions.status <> 'canceled'
			 RETURNING id`,
			[state.id, state.accountId, state.status, state.priceId, state.plan, state.stateAt],
		);
		return rows.length === 1;
	}

	async entitledPlans(manager: EntityManager, accountId: string): Promise<PlanId[]> {
		const rows: { plan: PlanId }[] = await manager.query(
			`SELECT plan FROM billing_subscriptions
			 WHERE account_id = $1 AND plan IS NOT NULL AND status = ANY($2::text[])`,
			[accountId, [...ENTITLED_STATUSES]],
		);
		return rows.map((row) => row.plan);
	}

	/** Payment events apply only if newer than the last one seen, so a late "failed" cannot undo a later "paid". */
	async recordPaymentFailed(manager: EntityManager, accountId: string, at: Date): Promise<Date | null> {
		const [row] = await updateReturning<{ paymentFailedAt: Date }>(
			manager,
			`UPDATE billing_customers SET payment_failed_at = COALESCE(payment_failed_at, $2), payment_event_at = $2
			 WHERE account_id = $1 AND (payment_event_at IS NULL OR payment_event_at <= $2)
			 RETURNING payment_failed_at AS "paymentFailedAt"`,
			[accountId, at],
		);
		return row?.paymentFailedAt ?? null;
	}

	async recordPaymentSucceeded(manager: EntityManager, accountId: string, at: Date): Promise<boolean> {
		const rows = await updateReturning(
			manager,
			`UPDATE billing_customers SET payment_failed_at = NULL, payment_event_at = $2
			 WHERE account_id = $1 AND (payment_event_at IS NULL OR payment_event_at <= $2) RETURNING account_id`,
			[accountId, at],
		);
		return rows.length === 1;
	}

	/**
	 * customer.deleted: the account keeps its data (archived) but loses its subscriptions. Its agents are stopped after
	 * the commit, by a job (BillingService), never here: agents with a workflow must be unpublished in n8n.
	 */
	async deactivate(manager: EntityManager, accountId: string, at: Date): Promise<void> {
		await manager.query(
			`UPDATE billing_customers SET deactivated_at = COALESCE(deactivated_at, $2) WHERE account_id = $1`,
			[accountId, at],
		);
		await manager.query(
			`UPDATE billing_subscriptions SET status = 'canceled', state_at = GREATEST(state_at, $2), updated_at = now()
			 WHERE account_id = $1`,
			[accountId, at],
		);
	}

	/** Deactivated accounts with agents still running (ACTIVE, or DEPLOYING in the middle of an operation). */
	async deactivatedAccountsWithRunningAgents(): Promise<string[]> {
		const rows: { account_id: string }[] = await this.dataSource.query(
			`SELECT c.account_id FROM billing_customers c
			 WHERE c.deactivated_at IS NOT NULL
			   AND EXISTS (SELECT 1 FROM agents a WHERE a.account_id = c.account_id AND a.status IN ('ACTIVE', 'DEPLOYING'))`,
		);
		return rows.map((row) => row.account_id);
	}

	async lockAccountPlan(manager: EntityManager, accountId: string): Promise<PlanId | null> {
		const [row] = await manager.query(`SELECT plan FROM accounts WHERE id = $1 FOR UPDATE`, [accountId]);
		return (row as { plan: PlanId } | undefined)?.plan ?? null;
	}

	async changePlan(
		manager: EntityManager,
		change: { accountId: string; from: PlanId; to: PlanId; reason: string; eventId: string | null; at: Date },
	): Promise<void> {
		await manager.query(`UPDATE accounts SET plan = $2 WHERE id = $1`, [change.accountId, change.to]);
		await manager.query(
			`INSERT INTO account_plan_changes (account_id, from_plan, to_plan, reason, event_id, changed_at)
			 VALUES ($1, $2, $3, $4, $5, $6)`,
			[change.accountId, change.from, change.to, change.reason, change.eventId, change.at],
		);
	}

	async countAgents(manager: EntityManager, accountId: string): Promise<number> {
		const [row] = await manager.query(`SELECT count(*)::int AS count FROM agents WHERE account_id = $1 AND status <> 'DELETED'`, [accountId]);
		return (row as { count: number }).count;
	}
}
