import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/** PostgreSQL's bigint arrives as a string; signature counters stay far below 2^53. */
const BIGINT_AS_NUMBER = { to: (value: number) => value, from: (value: string | number) => Number(value) };

/** A passkey an agent signs in with as their second factor, in place of TOTP. Only its public key is stored. */
@Entity({ name: 'agent_passkeys' })
@Check('agent_passkeys_counter_check', `"counter" >= 0`)
@Index('agent_passkeys_credential_key', ['credentialId'], { unique: true })
@Index('agent_passkeys_agent_idx', ['agentId', 'createdAt'])
export class AgentPasskey {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey('Agent', { name: 'agent_passkeys_agent_id_fkey', onDelete: 'CASCADE' })
  agentId!: string;

  /** The credential id as the browser gives it (base64url). */
  @Column({ type: 'varchar', length: 1400 })
  credentialId!: string;

  /** COSE public key. */
  @Column({ type: 'bytea' })
  publicKey!: Buffer;

  @Column({ type: 'bigint', transformer: BIGINT_AS_NUMBER })
  counter!: number;

  @Column({ type: 'jsonb' })
  transports!: string[];

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
