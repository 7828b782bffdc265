import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/** PostgreSQL's bigint arrives as a string; signature counters stay far below 2^53. */
export const BIGINT_AS_NUMBER = { to: (value: number) => value, from: (value: string | number) => Number(value) };

/**
 * A passkey of an account owner: a discoverable WebAuthn credential with user verification. It
 * signs the owner in without a password and answers identity verifications. Only its public key
 * is stored; a signature counter that does not increase marks it `suspect` (a cloned
 * authenticator).
 */
@Entity({ name: 'passkeys' })
@Check('passkeys_counter_check', `"counter" >= 0`)
@Index('passkeys_credential_key', ['credentialId'], { unique: true })
@Index('passkeys_account_idx', ['accountUid', 'createdAt'])
export class Passkey {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'char', length: 16 })
  @ForeignKey('Account', { name: 'passkeys_account_uid_fkey', onDelete: 'CASCADE' })
  accountUid!: string;

  /** The credential id as the browser gives it (base64url). */
  @Column({ type: 'varchar', length: 1400 })
  credentialId!: string;

  /** COSE public key. */
  @Column({ type: 'bytea' })
  publicKey!: Buffer;

  @Column({ type: 'bigint', transformer: BIGINT_AS_NUMBER })
  counter!: number;

  /** How the authenticator is reached (`internal`, `usb`, `hybrid`...), as the browser said at registration. */
  @Column({ type: 'jsonb' })
  transports!: string[];

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** Synced to the owner's other devices by its provider (a "multi-device" credential). */
  @Column({ type: 'boolean', default: false })
  backedUp!: boolean;

  /** Its counter went backwards once: a copy of it may exist. */
  @Column({ type: 'boolean', default: false })
  suspect!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
