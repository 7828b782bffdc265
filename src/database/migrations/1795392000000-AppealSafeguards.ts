import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Safeguards of the appeal workflow: who granted an agent's role and when (four eyes may not be
 * met by an agent the approver made, or made after the approval), a second admin's approval of
 * a supervisor or admin made on the team page; appeals flagged as a flood (their identifier hit
 * the limit of open appeals); objections recorded for a supervisor's decision instead of
 * stopping the appeal, and the hold they put on it; agents' checks of the facts only an
 * account's owner would know, which weigh most in the evidence score.
 */
export class AppealSafeguards1795392000000 implements MigrationInterface {
  name = 'AppealSafeguards1795392000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE agents ADD COLUMN role_granted_at timestamptz`);
    await queryRunner.query(`UPDATE agents SET role_granted_at = created_at`);
    await queryRunner.query(`ALTER TABLE agents ALTER COLUMN role_granted_at SET NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE agents ADD COLUMN role_granted_by uuid, ADD COLUMN role_approved_by uuid, ADD COLUMN awaiting_approval boolean NOT NULL DEFAULT false`,
    );

    await queryRunner.query(
      `ALTER TABLE appeals ADD COLUMN flood boolean NOT NULL DEFAULT false, ADD COLUMN objection_recorded_at timestamptz, ADD COLUMN fact_checks jsonb`,
    );
    await queryRunner.query(`CREATE INDEX appeals_flood_queue_idx ON appeals (created_at, id) WHERE flood`);

    await queryRunner.query(`ALTER TABLE appeal_objections ADD COLUMN recorded boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE appeal_objections DROP COLUMN recorded`);
    await queryRunner.query(`DROP INDEX appeals_flood_queue_idx`);
    await queryRunner.query(`ALTER TABLE appeals DROP COLUMN flood, DROP COLUMN objection_recorded_at, DROP COLUMN fact_checks`);
    await queryRunner.query(
      `ALTER TABLE agents DROP COLUMN role_granted_at, DROP COLUMN role_granted_by, DROP COLUMN role_approved_by, DROP COLUMN awaiting_approval`,
    );
  }
}
