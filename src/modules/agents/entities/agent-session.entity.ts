import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SessionRecord } from '../../../common/sessions/session-record';
import { Agent } from './agent.entity';

/**
 * A back-office session: an opaque 256-bit token in the `ac_agent` cookie, only its SHA-256
 * stored. Live while not revoked, before `expiresAt` (absolute) and within the idle timeout of
 * `lastSeenAt`, and while its agent is active.
 */
@Entity({ name: 'agent_sessions' })
@Index('agent_sessions_agent_active_idx', ['agentId'], { where: '"revoked_at" IS NULL' })
export class AgentSession extends SessionRecord {
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
}
