import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/** A single-use link to set a new logon password, sent when an appeal with `resetPassword` completes. */
@Entity({ name: 'password_resets' })
@Index('password_resets_account_idx', ['accountUid'])
export class PasswordReset {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** SHA-256 of the link's 256-bit token. */
  @Index('password_resets_token_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'char', length: 16 })
  @ForeignKey('Account', { name: 'password_resets_account_uid_fkey', onDelete: 'CASCADE' })
  accountUid!: string;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey('Appeal', { name: 'password_resets_appeal_id_fkey', onDelete: 'SET NULL' })
  appealId!: string | null;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;
}
