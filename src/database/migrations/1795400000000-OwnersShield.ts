import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The owner's shield.
 *
 * - `audit_events_subject_created_idx`: an account's security activity is read from the audit log,
 *   newest first, over the last 90 days, by keyset on (created_at, seq). With only
 *   `audit_events_subject_idx` (ordered by seq) a page of an account with years of events but few
 *   recent ones would read every older event of the account before giving up; this index starts
 *   and stops the scan at the 90-day boundary.
 * - `verification_tokens.method`: how the identity was verified (sms, email, totp, ...), so that a
 *   change made with a token can say so (the back-office shows how the owner stopped an appeal).
 *   Null for tokens issued before it.
 */
export class OwnersShield1795400000000 implements MigrationInterface {
  name = 'OwnersShield1795400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "audit_events_subject_created_idx" ON "audit_events" ("subject_type", "subject_id", "created_at", "seq")`,
    );
    await queryRunner.query(`ALTER TABLE "verification_tokens" ADD COLUMN "method" varchar(16)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "verification_tokens" DROP COLUMN "method"`);
    await queryRunner.query(`DROP INDEX "audit_events_subject_created_idx"`);
  }
}
