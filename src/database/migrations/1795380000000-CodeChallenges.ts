import { MigrationInterface, QueryRunner } from 'typeorm';

/** Code challenges of every kind, and the verification tokens they yield. */
export class CodeChallenges1795380000000 implements MigrationInterface {
  name = 'CodeChallenges1795380000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE code_challenges (
        id uuid PRIMARY KEY,
        kind varchar(20) NOT NULL CHECK (kind IN ('verification', 'sign_in', 'email_change', 'phone_change', 'password_recovery', 'appeal_contact')),
        account_uid varchar(16) REFERENCES accounts (uid) ON DELETE CASCADE,
        session_id uuid,
        purpose varchar(32),
        method varchar(8) NOT NULL CHECK (method IN ('sms', 'email', 'totp')),
        destination varchar(320),
        code_hmac char(64),
        message jsonb,
        context jsonb NOT NULL DEFAULT '{}',
        attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        sends int NOT NULL DEFAULT 0 CHECK (sends >= 0),
        expires_at timestamptz NOT NULL,
        resend_available_at timestamptz,
        used_at timestamptz,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX code_challenges_account_idx ON code_challenges (account_uid, created_at)`);
    await queryRunner.query(`CREATE INDEX code_challenges_session_idx ON code_challenges (session_id) WHERE session_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE verification_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash char(64) NOT NULL UNIQUE,
        account_uid varchar(16) NOT NULL REFERENCES accounts (uid) ON DELETE CASCADE,
        session_id uuid NOT NULL,
        purpose varchar(32) NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE verification_tokens`);
    await queryRunner.query(`DROP TABLE code_challenges`);
  }
}
