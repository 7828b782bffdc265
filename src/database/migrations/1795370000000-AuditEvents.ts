import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only audit log and its chain head. Appending locks only the one head row (see
 * AuditService.record); triggers refuse every UPDATE, DELETE and TRUNCATE of the log, and any
 * change of the head other than the step to the next event.
 */
export class AuditEvents1795370000000 implements MigrationInterface {
  name = 'AuditEvents1795370000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "audit_chain_head" (
        "id" smallint PRIMARY KEY CHECK ("id" = 1),
        "seq" bigint NOT NULL,
        "hash" char(64) NOT NULL,
        "prev_hash" char(64) NOT NULL
      )`);
    await queryRunner.query(
      `INSERT INTO "audit_chain_head" ("id", "seq", "hash", "prev_hash") VALUES (1, 0, repeat('0', 64), repeat('0', 64))`,
    );
    await queryRunner.query(`
      CREATE TABLE "audit_events" (
        "seq" bigint PRIMARY KEY,
        "created_at" timestamptz NOT NULL,
        "action" varchar(100) NOT NULL,
        "actor_type" varchar(16) NOT NULL,
        "actor_id" text,
        "subject_type" varchar(40),
        "subject_id" text,
        "data" jsonb NOT NULL,
        "ip" text,
        "prev_hash" char(64) NOT NULL,
        "hash" char(64) NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "audit_events_subject_idx" ON "audit_events" ("subject_type", "subject_id", "seq")`);

    await queryRunner.query(`
      CREATE FUNCTION "audit_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
      FOR EACH ROW EXECUTE FUNCTION "audit_refuse_change"()`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_refuse_change"()`);

    await queryRunner.query(`
      CREATE FUNCTION "audit_chain_head_step_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW."id" <> OLD."id" OR NEW."seq" <> OLD."seq" + 1 OR NEW."prev_hash" <> OLD."hash" THEN
          RAISE EXCEPTION 'audit chain head only moves one event forward' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_chain_head_step" BEFORE UPDATE ON "audit_chain_head"
      FOR EACH ROW EXECUTE FUNCTION "audit_chain_head_step_only"()`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_chain_head_keep" BEFORE DELETE ON "audit_chain_head"
      FOR EACH ROW EXECUTE FUNCTION "audit_refuse_change"()`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_chain_head_no_truncate" BEFORE TRUNCATE ON "audit_chain_head"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_refuse_change"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP TABLE "audit_chain_head"`);
    await queryRunner.query(`DROP FUNCTION "audit_chain_head_step_only"()`);
    await queryRunner.query(`DROP FUNCTION "audit_refuse_change"()`);
  }
}
