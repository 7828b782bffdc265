import { MigrationInterface, QueryRunner } from 'typeorm';

const OPEN = `('submitted', 'in_review', 'awaiting_customer', 'pending_second_approval', 'scheduled')`;

/**
 * Appeals, their thread, attachments (bytes apart), objection links and password-reset links.
 * Every query of the queue, the filing limits and the scheduled jobs has an index here, so a
 * million appeals stay fast; the partial ones stay small because they cover only the rows those
 * queries look for.
 */
export class Appeals1795380200000 implements MigrationInterface {
  name = 'Appeals1795380200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE appeals (
        id uuid PRIMARY KEY,
        reference varchar(13) NOT NULL,
        access_token_hash char(64) NOT NULL,
        status varchar(32) NOT NULL,
        version int NOT NULL CHECK (version > 0),
        contact_email varchar(254) NOT NULL,
        locale varchar(8) NOT NULL,
        claimed_uid char(16),
        claimed_email varchar(254),
        claimed_phone varchar(16),
        account_match varchar(10) NOT NULL,
        account_uid char(16) REFERENCES accounts (uid) ON DELETE SET NULL,
        changes jsonb NOT NULL,
        evidence jsonb NOT NULL,
        filed_ip varchar(64),
        lease_agent_id uuid REFERENCES agents (id),
        lease_expires_at timestamptz,
        approved_by uuid REFERENCES agents (id),
        approved_at timestamptz,
        approval_rationale text,
        evidence_score_at_approval int,
        confirmed_by uuid REFERENCES agents (id),
        confirmed_at timestamptz,
        scheduled_for timestamptz,
        rejection_reason text,
        first_response_due_at timestamptz,
        first_response_at timestamptz,
        first_response_breached_at timestamptz,
        resolution_due_at timestamptz,
        resolution_breached_at timestamptz,
        sla_paused_ms bigint NOT NULL DEFAULT 0,
        sla_breached boolean NOT NULL DEFAULT false,
        awaiting_since timestamptz,
        reminder_sent_at timestamptz,
        resolved_at timestamptz,
        closed_at timestamptz,
        evidence_purged_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT appeals_reference_check CHECK (reference ~ '^AP-[A-Z2-7]{10}$'),
        CONSTRAINT appeals_status_check CHECK (status IN ('submitted', 'in_review', 'awaiting_customer', 'pending_second_approval', 'scheduled', 'completed', 'rejected', 'cancelled', 'objected', 'expired')),
        CONSTRAINT appeals_account_match_check CHECK (account_match IN ('matched', 'unmatched', 'ambiguous'))
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX appeals_reference_key ON appeals (reference)`);
    // The queue, oldest first: everything, by status, open only, breached, an agent's own.
    await queryRunner.query(`CREATE INDEX appeals_queue_idx ON appeals (created_at, id)`);
    await queryRunner.query(`CREATE INDEX appeals_status_queue_idx ON appeals (status, created_at, id)`);
    await queryRunner.query(`CREATE INDEX appeals_open_queue_idx ON appeals (created_at, id) WHERE status IN ${OPEN}`);
    await queryRunner.query(`CREATE INDEX appeals_breached_queue_idx ON appeals (created_at, id) WHERE sla_breached`);
    await queryRunner.query(
      `CREATE INDEX appeals_lease_queue_idx ON appeals (lease_agent_id, created_at, id) WHERE lease_agent_id IS NOT NULL`,
    );
    // Search (and the per-contact and per-identifier filing limits).
    await queryRunner.query(`CREATE INDEX appeals_contact_email_idx ON appeals (lower(contact_email), created_at)`);
    await queryRunner.query(`CREATE INDEX appeals_claimed_email_idx ON appeals (lower(claimed_email), created_at)`);
    await queryRunner.query(`CREATE INDEX appeals_claimed_uid_idx ON appeals (claimed_uid, created_at)`);
    await queryRunner.query(`CREATE INDEX appeals_claimed_phone_idx ON appeals (claimed_phone, created_at)`);
    await queryRunner.query(`CREATE INDEX appeals_account_uid_idx ON appeals (account_uid, created_at)`);
    await queryRunner.query(`CREATE INDEX appeals_filed_ip_idx ON appeals (filed_ip, created_at)`);
    // Scheduled jobs: due changes, customer timeouts, SLA deadlines, evidence purge.
    await queryRunner.query(`CREATE INDEX appeals_due_idx ON appeals (scheduled_for) WHERE status = 'scheduled'`);
    await queryRunner.query(`CREATE INDEX appeals_awaiting_idx ON appeals (awaiting_since) WHERE status = 'awaiting_customer'`);
    await queryRunner.query(
      `CREATE INDEX appeals_first_response_due_idx ON appeals (first_response_due_at) WHERE first_response_due_at IS NOT NULL AND first_response_breached_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX appeals_resolution_due_idx ON appeals (resolution_due_at) WHERE resolution_due_at IS NOT NULL AND resolution_breached_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX appeals_purge_idx ON appeals (closed_at) WHERE closed_at IS NOT NULL AND evidence_purged_at IS NULL`,
    );
    // Dashboard medians over the last 30 days.
    await queryRunner.query(
      `CREATE INDEX appeals_first_response_at_idx ON appeals (first_response_at) WHERE first_response_at IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX appeals_resolved_at_idx ON appeals (resolved_at) WHERE resolved_at IS NOT NULL`);

    await queryRunner.query(`
      CREATE TABLE appeal_messages (
        id uuid PRIMARY KEY,
        appeal_id uuid NOT NULL REFERENCES appeals (id) ON DELETE CASCADE,
        author varchar(8) NOT NULL,
        agent_id uuid REFERENCES agents (id),
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT appeal_messages_author_check CHECK (author IN ('customer', 'agent', 'note'))
      )`);
    await queryRunner.query(`CREATE INDEX appeal_messages_appeal_idx ON appeal_messages (appeal_id, created_at)`);

    await queryRunner.query(`
      CREATE TABLE appeal_attachments (
        id uuid PRIMARY KEY,
        appeal_id uuid NOT NULL REFERENCES appeals (id) ON DELETE CASCADE,
        filename varchar(120) NOT NULL,
        content_type varchar(32) NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
        size int NOT NULL CHECK (size > 0),
        sha256 char(64) NOT NULL,
        created_at timestamptz NOT NULL,
        purged_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX appeal_attachments_appeal_idx ON appeal_attachments (appeal_id, created_at)`);
    await queryRunner.query(`
      CREATE TABLE appeal_attachment_contents (
        attachment_id uuid PRIMARY KEY REFERENCES appeal_attachments (id) ON DELETE CASCADE,
        content bytea NOT NULL
      )`);
    // JPEG, PNG and PDF are compressed already: store them out of line without trying again.
    await queryRunner.query(`ALTER TABLE appeal_attachment_contents ALTER COLUMN content SET STORAGE EXTERNAL`);

    await queryRunner.query(`
      CREATE TABLE appeal_objections (
        id uuid PRIMARY KEY,
        appeal_id uuid NOT NULL REFERENCES appeals (id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        channel varchar(8) NOT NULL CHECK (channel IN ('email', 'sms')),
        created_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX appeal_objections_token_hash_key ON appeal_objections (token_hash)`);
    await queryRunner.query(`CREATE INDEX appeal_objections_appeal_idx ON appeal_objections (appeal_id)`);

    await queryRunner.query(`
      CREATE TABLE password_resets (
        id uuid PRIMARY KEY,
        token_hash char(64) NOT NULL,
        account_uid char(16) NOT NULL REFERENCES accounts (uid) ON DELETE CASCADE,
        appeal_id uuid REFERENCES appeals (id) ON DELETE SET NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX password_resets_token_hash_key ON password_resets (token_hash)`);
    await queryRunner.query(`CREATE INDEX password_resets_account_idx ON password_resets (account_uid)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE password_resets`);
    await queryRunner.query(`DROP TABLE appeal_objections`);
    await queryRunner.query(`DROP TABLE appeal_attachment_contents`);
    await queryRunner.query(`DROP TABLE appeal_attachments`);
    await queryRunner.query(`DROP TABLE appeal_messages`);
    await queryRunner.query(`DROP TABLE appeals`);
  }
}
