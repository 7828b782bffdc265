import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/** What a "this wasn't me" link undoes: a password change (nothing to restore), or a contact it restores. */
export type RevertKind = 'password' | 'logon_email' | 'secure_phone' | 'passkey';

/**
 * A "this wasn't me" link of a change notice: used once within 7 days, it restores the value it
 * was issued for (where still free) and freezes the account. Only the token's SHA-256 is stored.
 */
@Entity({ name: 'security_reverts' })
@Check('security_reverts_kind_check', `"kind" IN ('password', 'logon_email', 'secure_phone', 'passkey')`)
@Index('security_reverts_token_key', ['tokenHash'], { unique: true })
@Index('security_reverts_account_idx', ['accountUid', 'createdAt'])
export class SecurityRevert {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'char', length: 16 })
  @ForeignKey('Account', { name: 'security_reverts_account_uid_fkey', onDelete: 'CASCADE' })
  accountUid!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: RevertKind;

  /** The logon email or secure phone to restore (for `passkey`: the id of the passkey to remove); null for a password change, or for a phone that was added where there was none. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  formerValue!: string | null;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
