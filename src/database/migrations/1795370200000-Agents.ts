import { MigrationInterface, QueryRunner } from 'typeorm';

/** Back-office agents. */
export class Agents1795370200000 implements MigrationInterface {
  name = 'Agents1795370200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "agents" (
        "id" uuid NOT NULL,
        "email" varchar(254) NOT NULL,
        "name" varchar(100) NOT NULL,
        "role" varchar(16) NOT NULL,
        "password_hash" text NOT NULL,
        "totp_secret" text,
        "active" boolean NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "agents_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "agents_role_check" CHECK ("role" IN ('agent', 'supervisor', 'admin'))
      )`);
    // Agents sign in by email, matched case-insensitively.
    await queryRunner.query(`CREATE UNIQUE INDEX "agents_email_key" ON "agents" (lower("email"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "agents"`);
  }
}
