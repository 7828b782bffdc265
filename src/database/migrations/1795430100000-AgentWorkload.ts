import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each agent's languages and capacity, for auto-assignment. */
export class AgentWorkload1795430100000 implements MigrationInterface {
  name = 'AgentWorkload1795430100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE agents ADD COLUMN languages varchar(32) NOT NULL DEFAULT 'en'`);
    await queryRunner.query(`ALTER TABLE agents ADD COLUMN capacity integer NOT NULL DEFAULT 10`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE agents DROP COLUMN capacity, DROP COLUMN languages`);
  }
}
