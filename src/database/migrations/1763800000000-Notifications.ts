import { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox of every message the service sends. */
export class Notifications1763800000000 implements MigrationInterface {
  name = 'Notifications1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        template varchar(64) NOT NULL,
        channel varchar(8) NOT NULL CHECK (channel IN ('email', 'sms')),
        recipient varchar(320) NOT NULL,
        locale varchar(8) NOT NULL,
        payload jsonb NOT NULL,
        status varchar(8) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'queued', 'sent', 'failed', 'dead')),
        priority varchar(8) NOT NULL DEFAULT 'normal' CHECK (priority IN ('urgent', 'normal')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        provider_message_id varchar(255),
        account_uid varchar(16),
        appeal_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        queued_at timestamptz,
        sent_at timestamptz
      )`);
    // The sweep looks only at unfinished rows; the partial index stays small however many are sent.
    await queryRunner.query(
      `CREATE INDEX notifications_unfinished_idx ON notifications (status, updated_at) WHERE status IN ('pending', 'queued', 'failed')`,
    );
    await queryRunner.query(`CREATE INDEX notifications_status_updated_idx ON notifications (status, updated_at)`);
    await queryRunner.query(
      `CREATE INDEX notifications_account_idx ON notifications (account_uid, created_at) WHERE account_uid IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX notifications_appeal_idx ON notifications (appeal_id, created_at) WHERE appeal_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE notifications`);
  }
}
