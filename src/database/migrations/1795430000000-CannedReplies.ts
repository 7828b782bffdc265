import { MigrationInterface, QueryRunner } from 'typeorm';

/** Canned replies: prepared answers per language, kept by supervisors and offered on the appeal page. */
export class CannedReplies1795430000000 implements MigrationInterface {
  name = 'CannedReplies1795430000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE canned_replies (
        id uuid PRIMARY KEY,
        title varchar(100) NOT NULL,
        locale varchar(8) NOT NULL,
        body text NOT NULL,
        updated_by uuid NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT canned_replies_locale_check CHECK (locale IN ('en', 'zh-CN')),
        CONSTRAINT canned_replies_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES agents (id)
      )`);
    await queryRunner.query(`CREATE INDEX canned_replies_locale_idx ON canned_replies (locale, title)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE canned_replies`);
  }
}
