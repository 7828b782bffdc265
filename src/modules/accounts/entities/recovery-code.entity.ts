import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One of the ten single-use codes shown at TOTP enrolment, accepted in place of a TOTP code. */
@Entity({ name: 'totp_recovery_codes' })
@Index('totp_recovery_codes_key', ['accountUid', 'codeHmac'], { unique: true })
export class RecoveryCode {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'char', length: 16 })
  @ForeignKey('Account', { name: 'totp_recovery_codes_account_uid_fkey', onDelete: 'CASCADE' })
  accountUid!: string;

  /** HMAC-SHA256 of `recovery-code:<uid>:<code>`; the code itself is shown once. */
  @Column({ type: 'char', length: 64 })
  codeHmac!: string;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
