import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TOTP replay protection (the last accepted time step, on the account row every process reads),
 * single-use recovery codes, and the challenge kind of a TOTP enrolment awaiting its first code.
 */
export class TotpFactors1795391000000 implements MigrationInterface {
  name = 'TotpFactors1795391000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE accounts ADD COLUMN totp_last_step integer`);
    await queryRunner.query(`
      CREATE TABLE totp_recovery_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_uid char(16) NOT NULL REFERENCES accounts (uid) ON DELETE CASCADE,
        code_hmac char(64) NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX totp_recovery_codes_key ON totp_recovery_codes (account_uid, code_hmac)`);
    await queryRunner.query(`ALTER TABLE code_challenges DROP CONSTRAINT code_challenges_kind_check`);
    await queryRunner.query(`
      ALTER TABLE code_challenges ADD CONSTRAINT code_challenges_kind_check
        CHECK (kind IN ('verification', 'sign_in', 'email_change', 'phone_change', 'password_recovery', 'appeal_contact', 'totp_enrolment'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM code_challenges WHERE kind = 'totp_enrolment'`);
    await queryRunner.query(`ALTER TABLE code_challenges DROP CONSTRAINT code_challenges_kind_check`);
    await queryRunner.query(`
      ALTER TABLE code_challenges ADD CONSTRAINT code_challenges_kind_check
        CHECK (kind IN ('verification', 'sign_in', 'email_change', 'phone_change', 'password_recovery', 'appeal_contact'))`);
    await queryRunner.query(`DROP TABLE totp_recovery_codes`);
    await queryRunner.query(`ALTER TABLE accounts DROP COLUMN totp_last_step`);
  }
}
