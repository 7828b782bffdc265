import { Check, Column, CreateDateColumn, PrimaryColumn } from 'typeorm';

/** PostgreSQL's bigint arrives as a string; signature counters stay far below 2^53. */
const BIGINT_AS_NUMBER = { to: (value: number) => value, from: (value: string | number) => Number(value) };

/**
 * The columns every stored WebAuthn credential has, an owner's (`passkeys`) or an agent's
 * (`agent_passkeys`): each table adds its holder's column, its indexes and the counter's check.
 * Only the public key is stored.
 */
export abstract class StoredPasskey {
  @PrimaryColumn('uuid')
  id!: string;

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

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}

/** The check both tables declare on `counter`, under their own constraint name. */
export const counterCheck = (table: string) => Check(`${table}_counter_check`, `"counter" >= 0`);
