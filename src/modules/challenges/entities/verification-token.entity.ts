import { Column, CreateDateColumn, Entity, ForeignKey, PrimaryGeneratedColumn } from 'typeorm';

/** The proof of a verified identity: single use, bound to account + session + purpose, short-lived. */
@Entity({ name: 'verification_tokens' })
export class VerificationToken {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** SHA-256 of the 256-bit token; the token itself is shown once. */
  @Column({ type: 'char', length: 64, unique: true })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 16 })
  @ForeignKey('Account', { name: 'verification_tokens_account_uid_fkey', onDelete: 'CASCADE' })
  accountUid!: string;

  @Column({ type: 'uuid' })
  sessionId!: string;

  @Column({ type: 'varchar', length: 32 })
  purpose!: string;

  /** How the identity was verified (`sms`, `email`, `totp`, ...); null for tokens older than this column. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  method!: string | null;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
