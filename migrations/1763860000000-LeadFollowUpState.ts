import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each lead's follow-up sequence stands since the lead's last message: `sent`, `skipped`, `failed` (with a
 * reason) or `window_closed` (the provider's messaging window closed before the sequence ended), and when that was
 * recorded. The three columns are set or cleared together (CHECK), so a status never lacks its time.
 *
 * Leads followed up before this migration, and silent since, get `sent` at their last contact: what had happened.
 */
export class LeadFollowUpState1763860000000 implements MigrationInterface {
	name = 'LeadFollowUpState1763860000000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			ALTER TABLE leads
				ADD COLUMN follow_up_status text CHECK (follow_up_status IN ('sent', 'skipped', 'failed', 'window_closed')),
				ADD COLUMN follow_up_reason text,
				ADD COLUMN follow_up_at timestamptz,
				ADD CONSTRAINT leads_follow_up_state_check CHECK (
					(follow_up_status IS NULL) = (follow_up_at IS NULL)
					AND (follow_up_status IS NOT NULL OR follow_up_reason IS NULL)
				)`);
		await queryRunner.query(`
			UPDATE leads SET follow_up_status = 'sent', follow_up_at = last_contacted_at
			WHERE last_contacted_at IS NOT NULL AND (last_message_at IS NULL OR last_message_at <= last_contacted_at)`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			ALTER TABLE leads
				DROP CONSTRAINT leads_follow_up_state_check,
				DROP COLUMN follow_up_at,
				DROP COLUMN follow_up_reason,
				DROP COLUMN follow_up_status`);
	}
}
