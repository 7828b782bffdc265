import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { Locale } from '../../../common/locales';

export const ACCOUNT_STATUSES = ['active', 'frozen'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/**
 * A cloud account (its root identity). The UID never changes: RAM users, AccessKeys and
 * resources hang off it while the logon email, phone and password change.
 */
@Entity({ name: 'accounts' })
// UNIQUE (lower(logon_email)): an expression index, declared in the migration.
@Index('accounts_logon_email_key', { synchronize: false })
@Index('accounts_secure_phone_idx', ['securePhone'])
@Check('accounts_uid_check', `"uid" ~ '^[1-9][0-9]{15}$'`)
@Check('accounts_locale_check', `"locale" IN ('en', 'zh-CN')`)
@Check('accounts_status_check', `"status" IN ('active', 'frozen')`)
export class Account {
  /** 16 decimal digits, never starting with 0. */
  @PrimaryColumn({ type: 'char', length: 16 })
  uid!: string;

  /** Trimmed, domain lower-cased; unique case-insensitively. */
  @Column({ type: 'varchar', length: 254 })
  logonEmail!: string;

  /** E.164. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  securePhone!: string | null;

  /** argon2id (m = 19456 KiB, t = 2, p = 1). */
  @Column({ type: 'text' })
  passwordHash!: string;

  /** The active TOTP secret, sealed with CryptoService.seal; null while TOTP is off. */
  @Column({ type: 'text', nullable: true })
  totpSecret!: string | null;

  /**
   * The last TOTP time step accepted (RFC 6238 counter). Only a later step is accepted next, in
   * every process: TotpService moves it forward with one conditional UPDATE.
   */
  @Column({ type: 'int', nullable: true })
  totpLastStep!: number | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  displayName!: string | null;

  @Column({ type: 'varchar', length: 8 })
  locale!: Locale;

  /** IANA time zone of the times on its pages and in its messages; null: the browser's (pages), the locale's (messages). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  timeZone!: string | null;

  @Column({ type: 'varchar', length: 8 })
  status!: AccountStatus;

  @Column({ type: 'timestamptz' })
  passwordChangedAt!: Date;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
