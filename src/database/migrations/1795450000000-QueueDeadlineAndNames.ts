import { MigrationInterface, QueryRunner } from 'typeorm';

const OPEN = `('submitted', 'in_review', 'awaiting_customer', 'pending_second_approval', 'scheduled')`;

/**
 * The queue's default view and its name search: open appeals by their next SLA deadline (the
 * earlier of the first-response and resolution due times; infinity while neither runs), and the
 * start of the full name the person gave, lower-cased, for a prefix search whatever the
 * database's collation.
 */
export class QueueDeadlineAndNames1795450000000 implements MigrationInterface {
  name = 'QueueDeadlineAndNames1795450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX appeals_open_deadline_idx ON appeals ((COALESCE(LEAST(first_response_due_at, resolution_due_at), 'infinity'::timestamptz)), id) WHERE status IN ${OPEN}`,
    );
    await queryRunner.query(`CREATE INDEX appeals_full_name_idx ON appeals (lower(evidence ->> 'fullName') text_pattern_ops)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX appeals_full_name_idx`);
    await queryRunner.query(`DROP INDEX appeals_open_deadline_idx`);
  }
}
