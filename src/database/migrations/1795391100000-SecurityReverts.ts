import { MigrationInterface, QueryRunner } from 'typeorm';

/** "This wasn't me" links of change notices: single use, stored hashed, each for the value it restores. */
export class SecurityReverts1795391100000 implements MigrationInterface {
  name = 'SecurityReverts1795391100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE security_reverts (
        id uuid PRIMARY KEY,
        token_hash char(64) NOT NULL,
        account_uid char(16) NOT NULL REFERENCES accounts (uid) ON DELETE CASCADE,
        kind varchar(16) NOT NULL CHECK (kind IN ('password', 'logon_email', 'secure_phone')),
        former_value varchar(320),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX security_reverts_token_key ON security_reverts (token_hash)`);
    await queryRunner.query(`CREATE INDEX security_reverts_account_idx ON security_reverts (account_uid, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE security_reverts`);
  }
}
