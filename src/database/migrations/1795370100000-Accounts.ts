import { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts, their RAM users, sessions and trusted devices. */
export class Accounts1795370100000 implements MigrationInterface {
  name = 'Accounts1795370100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "accounts" (
        "uid" char(16) NOT NULL,
        "logon_email" varchar(254) NOT NULL,
        "secure_phone" varchar(16),
        "password_hash" text NOT NULL,
        "totp_secret" text,
        "display_name" varchar(100),
        "locale" varchar(8) NOT NULL,
        "status" varchar(8) NOT NULL,
        "password_changed_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "accounts_pkey" PRIMARY KEY ("uid"),
        CONSTRAINT "accounts_uid_check" CHECK ("uid" ~ '^[1-9][0-9]{15}$'),
        CONSTRAINT "accounts_locale_check" CHECK ("locale" IN ('en', 'zh-CN')),
        CONSTRAINT "accounts_status_check" CHECK ("status" IN ('active', 'frozen'))
      )`);
    // Sign-in and the email-in-use rule look emails up case-insensitively.
    await queryRunner.query(`CREATE UNIQUE INDEX "accounts_logon_email_key" ON "accounts" (lower("logon_email"))`);
    // Logon-email reminders and the back-office lookup find accounts by phone.
    await queryRunner.query(`CREATE INDEX "accounts_secure_phone_idx" ON "accounts" ("secure_phone")`);

    await queryRunner.query(`
      CREATE TABLE "ram_users" (
        "id" uuid NOT NULL,
        "account_uid" char(16) NOT NULL,
        "login_name" varchar(64) NOT NULL,
        "password_hash" text NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "ram_users_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "ram_users_account_fk" FOREIGN KEY ("account_uid") REFERENCES "accounts" ("uid") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ram_users_login_key" ON "ram_users" ("account_uid", lower("login_name"))`);

    await queryRunner.query(`
      CREATE TABLE "sessions" (
        "id" uuid NOT NULL,
        "token_hash" char(64) NOT NULL,
        "account_uid" char(16) NOT NULL,
        "principal_type" varchar(16) NOT NULL,
        "ram_user_id" uuid,
        "principal_name" varchar(128),
        "ip" text,
        "user_agent" varchar(512),
        "created_at" timestamptz NOT NULL,
        "last_seen_at" timestamptz NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "revoked_at" timestamptz,
        "revoked_reason" varchar(40),
        CONSTRAINT "sessions_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "sessions_principal_type_check" CHECK ("principal_type" IN ('root', 'ram_user', 'ram_role', 'sso')),
        CONSTRAINT "sessions_account_fk" FOREIGN KEY ("account_uid") REFERENCES "accounts" ("uid") ON DELETE CASCADE,
        CONSTRAINT "sessions_ram_user_fk" FOREIGN KEY ("ram_user_id") REFERENCES "ram_users" ("id") ON DELETE CASCADE
      )`);
    // Every authenticated request finds its session by token hash.
    await queryRunner.query(`CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions" ("token_hash")`);
    // Listing and revoking an account's sessions only ever concerns live ones.
    await queryRunner.query(`CREATE INDEX "sessions_account_active_idx" ON "sessions" ("account_uid") WHERE "revoked_at" IS NULL`);

    await queryRunner.query(`
      CREATE TABLE "trusted_devices" (
        "id" uuid NOT NULL,
        "account_uid" char(16) NOT NULL,
        "device_id_hash" char(64) NOT NULL,
        "network" varchar(64) NOT NULL,
        "label" varchar(200) NOT NULL,
        "created_at" timestamptz NOT NULL,
        "last_used_at" timestamptz NOT NULL,
        "trusted_until" timestamptz NOT NULL,
        CONSTRAINT "trusted_devices_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "trusted_devices_account_fk" FOREIGN KEY ("account_uid") REFERENCES "accounts" ("uid") ON DELETE CASCADE
      )`);
    // Sign-in asks "is this device + network trusted for this account?"; the list is per account too.
    await queryRunner.query(`CREATE UNIQUE INDEX "trusted_devices_key" ON "trusted_devices" ("account_uid", "device_id_hash", "network")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "trusted_devices"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP TABLE "ram_users"`);
    await queryRunner.query(`DROP TABLE "accounts"`);
  }
}
