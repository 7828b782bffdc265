import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log becomes a Merkle-tree transparency log without a shared lock on the write path.
 *
 * Events keep their table, their rows and their order. Each new event is one plain INSERT: its id
 * comes from a sequence, `xid` records the writing transaction (the sequencer orders by it) and
 * `nonce` is 128 random bits. The chain columns and the chain head row, whose lock every audited
 * transaction queued on, go away. Every existing event becomes a leaf in its chain order, so the
 * tree starts with the whole former log; the sequencer hashes those leaves (in batches) and signs
 * checkpoints for them on its first runs, as it does for new events.
 */
export class AuditTransparencyLog1795395150000 implements MigrationInterface {
  name = 'AuditTransparencyLog1795395150000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE "audit_events_seq_seq" OWNED BY "audit_events"."seq"`);
    await queryRunner.query(`SELECT setval('audit_events_seq_seq', coalesce((SELECT max("seq") FROM "audit_events"), 0) + 1, false)`);
    await queryRunner.query(`ALTER TABLE "audit_events" ALTER COLUMN "seq" SET DEFAULT nextval('audit_events_seq_seq')`);
    // Carried-over events get xid 0: they are placed below, never by the sequencer.
    await queryRunner.query(`ALTER TABLE "audit_events" ADD COLUMN "xid" bigint NOT NULL DEFAULT 0`);
    // The writing transaction's id as bigint (the ORM has no xid8 type), behind a function so the
    // entity can declare the very same default.
    await queryRunner.query(
      `CREATE FUNCTION audit_xact_id() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT pg_current_xact_id()::text::bigint'`,
    );
    await queryRunner.query(`ALTER TABLE "audit_events" ALTER COLUMN "xid" SET DEFAULT audit_xact_id()`);
    // A volatile default fills every existing row with its own random value (the table is rewritten, no trigger fires).
    await queryRunner.query(`
      ALTER TABLE "audit_events" ADD COLUMN "nonce" char(32) NOT NULL
        DEFAULT substr(encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'), 1, 32)`);
    await queryRunner.query(`ALTER TABLE "audit_events" ALTER COLUMN "nonce" DROP DEFAULT`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "prev_hash", DROP COLUMN "hash"`);
    await queryRunner.query(`CREATE INDEX "audit_events_xid_idx" ON "audit_events" ("xid", "seq")`);

    await queryRunner.query(`
      CREATE TABLE "audit_leaves" (
        "leaf_index" bigint PRIMARY KEY,
        "event_id" bigint NOT NULL UNIQUE,
        "sequenced_at" timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(`
      CREATE TABLE "audit_nodes" (
        "level" smallint NOT NULL,
        "node_index" bigint NOT NULL,
        "hash" bytea NOT NULL,
        PRIMARY KEY ("level", "node_index")
      )`);
    await queryRunner.query(`
      CREATE TABLE "audit_checkpoints" (
        "size" bigint PRIMARY KEY,
        "root_hash" char(64) NOT NULL,
        "timestamp" text NOT NULL,
        "signature" text NOT NULL,
        "kid" text NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE "audit_keys" (
        "kid" text PRIMARY KEY,
        "x" text NOT NULL,
        "first_used_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "audit_sequencer" (
        "id" smallint PRIMARY KEY CHECK ("id" = 1),
        "horizon" xid8 NOT NULL,
        "hashed" bigint NOT NULL
      )`);
    await queryRunner.query(`INSERT INTO "audit_sequencer" ("id", "horizon", "hashed") VALUES (1, '0', 0)`);
    await queryRunner.query(`
      CREATE TABLE "audit_verifications" (
        "id" bigserial PRIMARY KEY,
        "started_at" timestamptz NOT NULL,
        "finished_at" timestamptz NOT NULL,
        "requested_by" text,
        "result" jsonb NOT NULL
      )`);

    await queryRunner.query(`
      INSERT INTO "audit_leaves" ("leaf_index", "event_id")
      SELECT row_number() OVER (ORDER BY "seq") - 1, "seq" FROM "audit_events"`);

    for (const table of ['audit_leaves', 'audit_nodes', 'audit_checkpoints', 'audit_keys']) {
      await queryRunner.query(`
        CREATE TRIGGER "${table}_append_only" BEFORE UPDATE OR DELETE ON "${table}"
        FOR EACH ROW EXECUTE FUNCTION "audit_refuse_change"()`);
      await queryRunner.query(`
        CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}"
        FOR EACH STATEMENT EXECUTE FUNCTION "audit_refuse_change"()`);
    }

    await queryRunner.query(`DROP TABLE "audit_chain_head"`);
    await queryRunner.query(`DROP FUNCTION "audit_chain_head_step_only"()`);
  }

  async down(): Promise<void> {
    // The chain hashes were computed in the application and cannot be rebuilt in SQL; restore a backup instead.
    throw new Error('AuditTransparencyLog cannot be reverted: restore the database from a backup taken before it');
  }
}
