import { MigrationInterface, QueryRunner } from 'typeorm';

/** Back-office sessions, and the index the dashboard's sign-in activity reads the audit log by. */
export class AgentSessions1795370300000 implements MigrationInterface {
  name = 'AgentSessions1795370300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "agent_sessions" (
        "id" uuid NOT NULL,
        "token_hash" char(64) NOT NULL,
        "agent_id" uuid NOT NULL,
        "ip" text,
        "user_agent" varchar(512),
        "created_at" timestamptz NOT NULL,
        "last_seen_at" timestamptz NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "revoked_at" timestamptz,
        "revoked_reason" varchar(40),
        CONSTRAINT "agent_sessions_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "agent_sessions_agent_fk" FOREIGN KEY ("agent_id") REFERENCES "agents" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "agent_sessions_token_hash_key" ON "agent_sessions" ("token_hash")`);
    await queryRunner.query(`CREATE INDEX "agent_sessions_agent_active_idx" ON "agent_sessions" ("agent_id") WHERE "revoked_at" IS NULL`);
    await queryRunner.query(`CREATE INDEX "audit_events_action_created_idx" ON "audit_events" ("action", "created_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "audit_events_action_created_idx"`);
    await queryRunner.query(`DROP TABLE "agent_sessions"`);
  }
}
