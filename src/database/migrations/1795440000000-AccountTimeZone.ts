import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The time zone an account's pages and messages print times in (an IANA name such as
 * `Asia/Shanghai`). Null until the owner picks one: pages then use the browser's zone, messages
 * the zone of the account's locale.
 */
export class AccountTimeZone1795440000000 implements MigrationInterface {
  name = 'AccountTimeZone1795440000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "accounts" ADD COLUMN "time_zone" varchar(64)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "accounts" DROP COLUMN "time_zone"`);
  }
}
