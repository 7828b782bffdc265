import { MigrationInterface, QueryRunner } from 'typeorm';

/** Logon emails and secure phones accounts used to have. */
export class FormerContacts1795380100000 implements MigrationInterface {
  name = 'FormerContacts1795380100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE former_contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_uid varchar(16) NOT NULL REFERENCES accounts (uid) ON DELETE CASCADE,
        kind varchar(16) NOT NULL CHECK (kind IN ('logon_email', 'secure_phone')),
        value varchar(320) NOT NULL,
        replaced_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX former_contacts_account_idx ON former_contacts (account_uid, replaced_at)`);
    // Lookups by a contact as someone types it: emails compare case-insensitively.
    await queryRunner.query(`CREATE INDEX former_contacts_value_idx ON former_contacts (kind, lower(value))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE former_contacts`);
  }
}
