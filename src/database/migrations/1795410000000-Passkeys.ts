import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Passkeys (WebAuthn credentials) of account owners and of agents; WebAuthn ceremonies as
 * challenges (method `passkey`, kind `webauthn` for those outside an identity verification); and
 * the "this wasn't me" link of a passkey that was added.
 */
export class Passkeys1795410000000 implements MigrationInterface {
  name = 'Passkeys1795410000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE passkeys (
        id uuid PRIMARY KEY,
        account_uid char(16) NOT NULL,
        credential_id varchar(1400) NOT NULL,
        public_key bytea NOT NULL,
        counter bigint NOT NULL,
        transports jsonb NOT NULL,
        name varchar(64) NOT NULL,
        backed_up boolean NOT NULL DEFAULT false,
        suspect boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        CONSTRAINT passkeys_account_uid_fkey FOREIGN KEY (account_uid) REFERENCES accounts (uid) ON DELETE CASCADE,
        CONSTRAINT passkeys_counter_check CHECK (counter >= 0)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX passkeys_credential_key ON passkeys (credential_id)`);
    await queryRunner.query(`CREATE INDEX passkeys_account_idx ON passkeys (account_uid, created_at)`);

    await queryRunner.query(`
      CREATE TABLE agent_passkeys (
        id uuid PRIMARY KEY,
        agent_id uuid NOT NULL,
        credential_id varchar(1400) NOT NULL,
        public_key bytea NOT NULL,
        counter bigint NOT NULL,
        transports jsonb NOT NULL,
        name varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        CONSTRAINT agent_passkeys_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id) ON DELETE CASCADE,
        CONSTRAINT agent_passkeys_counter_check CHECK (counter >= 0)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX agent_passkeys_credential_key ON agent_passkeys (credential_id)`);
    await queryRunner.query(`CREATE INDEX agent_passkeys_agent_idx ON agent_passkeys (agent_id, created_at)`);

    await queryRunner.query(`ALTER TABLE code_challenges DROP CONSTRAINT code_challenges_kind_check`);
    await queryRunner.query(`
      ALTER TABLE code_challenges ADD CONSTRAINT code_challenges_kind_check
        CHECK (kind IN ('verification', 'sign_in', 'email_change', 'phone_change', 'password_recovery', 'appeal_contact', 'totp_enrolment', 'webauthn'))`);
    await queryRunner.query(`ALTER TABLE code_challenges DROP CONSTRAINT code_challenges_method_check`);
    await queryRunner.query(`
      ALTER TABLE code_challenges ADD CONSTRAINT code_challenges_method_check CHECK (method IN ('sms', 'email', 'totp', 'passkey'))`);

    await queryRunner.query(`ALTER TABLE security_reverts DROP CONSTRAINT security_reverts_kind_check`);
    await queryRunner.query(`
      ALTER TABLE security_reverts ADD CONSTRAINT security_reverts_kind_check CHECK (kind IN ('password', 'logon_email', 'secure_phone', 'passkey'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM security_reverts WHERE kind = 'passkey'`);
    await queryRunner.query(`ALTER TABLE security_reverts DROP CONSTRAINT security_reverts_kind_check`);
    await queryRunner.query(`
      ALTER TABLE security_reverts ADD CONSTRAINT security_reverts_kind_check CHECK (kind IN ('password', 'logon_email', 'secure_phone'))`);
    await queryRunner.query(`DELETE FROM code_challenges WHERE kind = 'webauthn' OR method = 'passkey'`);
    await queryRunner.query(`ALTER TABLE code_challenges DROP CONSTRAINT code_challenges_method_check`);
    await queryRunner.query(
      `ALTER TABLE code_challenges ADD CONSTRAINT code_challenges_method_check CHECK (method IN ('sms', 'email', 'totp'))`,
    );
    await queryRunner.query(`ALTER TABLE code_challenges DROP CONSTRAINT code_challenges_kind_check`);
    await queryRunner.query(`
      ALTER TABLE code_challenges ADD CONSTRAINT code_challenges_kind_check
        CHECK (kind IN ('verification', 'sign_in', 'email_change', 'phone_change', 'password_recovery', 'appeal_contact', 'totp_enrolment'))`);
    await queryRunner.query(`DROP TABLE agent_passkeys`);
    await queryRunner.query(`DROP TABLE passkeys`);
  }
}
