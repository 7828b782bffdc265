import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { FlatJsonObject } from '../../../common/json';
import type { TemplateId } from '../../notifications/notification-templates';
import { Locale } from '../../../common/locales';

/** What a challenge guards: each kind has its message template and its caller. */
export type ChallengeKind =
  | 'verification'
  | 'sign_in'
  | 'email_change'
  | 'phone_change'
  | 'password_recovery'
  | 'appeal_contact'
  | 'totp_enrolment'
  /** A WebAuthn ceremony outside an identity verification (passkey sign-in, registration): `purpose` names it. */
  | 'webauthn';
/** `passkey`: a WebAuthn assertion answers the challenge; the random challenge it signs is `context.webauthnChallenge`. */
export type ChallengeMethod = 'sms' | 'email' | 'totp' | 'passkey';

export interface ChallengeMessage {
  readonly template: TemplateId;
  readonly locale: Locale;
  /** The template's variables but `code` and `expiresInMinutes`, which every send fills in. */
  readonly variables: FlatJsonObject;
  readonly appealId?: string;
}

/**
 * One code challenge: a 6-digit code sent by SMS or email (stored only as an HMAC), or a TOTP
 * step the person reads from their app. Attempts are counted before the code is compared; a
 * challenge is used once.
 */
@Entity({ name: 'code_challenges' })
@Check(
  'code_challenges_kind_check',
  `"kind" IN ('verification', 'sign_in', 'email_change', 'phone_change', 'password_recovery', 'appeal_contact', 'totp_enrolment', 'webauthn')`,
)
@Check('code_challenges_method_check', `"method" IN ('sms', 'email', 'totp', 'passkey')`)
@Check('code_challenges_attempts_check', `"attempts" >= 0`)
@Check('code_challenges_sends_check', `"sends" >= 0`)
@Index('code_challenges_account_idx', ['accountUid', 'createdAt'])
@Index('code_challenges_session_idx', ['sessionId'])
export class CodeChallenge {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 20 })
  kind!: ChallengeKind;

  /** The account whose limits apply; null where there is none (appeal contact, recovery for an unknown login). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  @ForeignKey('Account', { name: 'code_challenges_account_uid_fkey', onDelete: 'CASCADE' })
  accountUid!: string | null;

  /** The session the challenge is bound to, where it is bound to one. */
  @Column({ type: 'uuid', nullable: true })
  sessionId!: string | null;

  /** Verification purpose (change_password, ...), where there is one. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  purpose!: string | null;

  @Column({ type: 'varchar', length: 8 })
  method!: ChallengeMethod;

  /** Where the code went (email or E.164 phone); null for TOTP and for decoys that send nothing. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  destination!: string | null;

  /** HMAC-SHA256 of `<id>:<code>` under a key derived from APP_SECRET; null for TOTP. */
  @Column({ type: 'char', length: 64, nullable: true })
  codeHmac!: string | null;

  /** How to send the code again: template, locale and its other variables (never the code). */
  @Column({ type: 'jsonb', nullable: true })
  message!: ChallengeMessage | null;

  /** What the caller needs back when the code is right (a new email, a recovery's login...). */
  @Column({ type: 'jsonb', default: {} })
  context!: FlatJsonObject;

  /** Attempts so far, counted before comparing. */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** Codes sent so far, the first included. */
  @Column({ type: 'int', default: 0 })
  sends!: number;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  resendAvailableAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  /** Cancelled by its owner (a pending change) or killed with its session. */
  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
