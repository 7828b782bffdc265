import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * - `audit_events_actor_idx` and `audit_events_action_seq_idx`: the back-office audit page filters
 *   the log by who acted and by action, newest first with a keyset on `seq`; each index leads with
 *   its filter and ends with `seq`, so a page reads its own rows only. (The subject filter already
 *   has `audit_events_subject_idx`.)
 * - `agents.password_change_required`: an admin resets an agent's password to a temporary one,
 *   shown once; the agent must choose their own before any other back-office page.
 */
export class BackofficeTeamAndAuditFilters1795460000000 implements MigrationInterface {
  name = 'BackofficeTeamAndAuditFilters1795460000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "audit_events_actor_idx" ON "audit_events" ("actor_type", "actor_id", "seq")`);
    await queryRunner.query(`CREATE INDEX "audit_events_action_seq_idx" ON "audit_events" ("action", "seq")`);
    await queryRunner.query(`ALTER TABLE "agents" ADD COLUMN "password_change_required" boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "password_change_required"`);
    await queryRunner.query(`DROP INDEX "audit_events_action_seq_idx"`);
    await queryRunner.query(`DROP INDEX "audit_events_actor_idx"`);
  }
}
