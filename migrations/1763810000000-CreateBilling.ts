import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing state kept beside the accounts (not in them, so billing can evolve without touching the tenancy table):
 * - billing_customers: the one Stripe customer of an account, its payment trouble and its deactivation.
 * - billing_subscriptions: the last known state of each Stripe subscription, with the time of the event that carried
 *   it, so an older event arriving late never overwrites a newer state.
 * - billing_events: the webhook inbox, keyed by Stripe's event id; a row exists before Stripe gets its 2xx.
 * - account_plan_changes: every plan change and what caused it (audit, and proof that a duplicate had no effect).
 */
export class CreateBilling1763810000000 implements MigrationInterface {
	name = 'CreateBilling1763810000000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			CREATE TABLE billing_customers (
				account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
				stripe_customer_id text CONSTRAINT billing_customers_stripe_customer_id_key UNIQUE,
				payment_failed_at timestamptz,
				payment_event_at timestamptz,
				deactivated_at timestamptz,
				created_at timestamptz NOT NULL DEFAULT now()
			)`);
		await queryRunner.query(`
			CREATE TABLE billing_subscriptions (
				id text PRIMARY KEY,
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				status text NOT NULL,
				price_id text,
				plan account_plan,
				state_at timestamptz NOT NULL,
				updated_at timestamptz NOT NULL DEFAULT now()
			)`);
		await queryRunner.query(`CREATE INDEX billing_subscriptions_account_id_idx ON billing_subscriptions (account_id)`);
		await queryRunner.query(`
			CREATE TABLE billing_events (
				id text PRIMARY KEY,
				type text NOT NULL,
				payload jsonb NOT NULL,
				event_created_at timestamptz NOT NULL,
				received_at timestamptz NOT NULL DEFAULT now(),
				processed_at timestamptz,
				outcome text,
				attempts integer NOT NULL DEFAULT 0,
				last_error text
			)`);
		await queryRunner.query(`
			CREATE INDEX billing_events_unprocessed_idx ON billing_events (received_at) WHERE processed_at IS NULL`);
		await queryRunner.query(`
			CREATE TABLE account_plan_changes (
				id bigserial PRIMARY KEY,
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				from_plan account_plan NOT NULL,
				to_plan account_plan NOT NULL,
				reason text NOT NULL,
				event_id text,
				changed_at timestamptz NOT NULL DEFAULT now()
			)`);
		await queryRunner.query(`CREATE INDEX account_plan_changes_account_id_idx ON account_plan_changes (account_id)`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`DROP TABLE account_plan_changes`);
		await queryRunner.query(`DROP TABLE billing_events`);
		await queryRunner.query(`DROP TABLE billing_subscriptions`);
		await queryRunner.query(`DROP TABLE billing_customers`);
	}
}
