import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SessionRecord } from '../../../common/sessions/session-record';
import { Account } from './account.entity';
import { RamUser } from './ram-user.entity';

export const PRINCIPAL_TYPES = ['root', 'ram_user', 'ram_role', 'sso'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/**
 * A signed-in session. Only the SHA-256 of its token is stored. It is valid while not revoked,
 * before `expiresAt` (absolute) and within the idle timeout of `lastSeenAt`.
 */
@Entity({ name: 'sessions' })
@Check('sessions_principal_type_check', `"principal_type" IN ('root', 'ram_user', 'ram_role', 'sso')`)
@Index('sessions_account_active_idx', ['accountUid'], { where: '"revoked_at" IS NULL' })
// An appeal's new-network signal reads the account's sign-ins of the 90 days before the filing.
@Index('sessions_account_created_idx', ['accountUid', 'createdAt'])
export class Session extends SessionRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('sessions_token_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'char', length: 16 })
  accountUid!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_uid', foreignKeyConstraintName: 'sessions_account_fk' })
  account?: Account;

  @Column({ type: 'varchar', length: 16 })
  principalType!: PrincipalType;

  /** The RAM user, for `ram_user` sessions. */
  @Column({ type: 'uuid', nullable: true })
  ramUserId!: string | null;

  @ManyToOne(() => RamUser, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ram_user_id', foreignKeyConstraintName: 'sessions_ram_user_fk' })
  ramUser?: RamUser;

  /** The RAM user's login name, or the role or SSO user name; null for root. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  principalName!: string | null;
}
