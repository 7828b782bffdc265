import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Agent } from './agent.entity';

/**
 * A back-office session: an opaque 256-bit token in the `ac_agent` cookie, only its SHA-256
 * stored. Live while not revoked, before `expiresAt` (absolute) and within the idle timeout of
 * `lastSeenAt`, and while its agent is active.
 */
@Entity({ name: 'agent_sessions' })
@Index('agent_sessions_agent_active_idx', ['agentId'], { where: '"revoked_at" IS NULL' })
export class AgentSession {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('agent_sessions_token_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'uuid' })
  agentId!: string;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'agent_sessions_agent_fk' })
  agent?: Agent;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  /** Moved forward at most once a minute, to keep requests cheap. */
  @Column({ type: 'timestamptz' })
  lastSeenAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** sign_out | deactivated | password_changed */
  @Column({ type: 'varchar', length: 40, nullable: true })
  revokedReason!: string | null;
}
