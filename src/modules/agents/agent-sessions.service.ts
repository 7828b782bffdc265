import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { hashToken } from '../../common/crypto/tokens';
import { SessionLifetime, SESSION_TOKEN } from '../../common/sessions/session-lifetime';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { AgentRole } from './entities/agent.entity';
import { AgentSession } from './entities/agent-session.entity';
import { SignedInAgent } from './signed-in-agent';

/** The back-office session cookie; scoped to /agent so no other page ever receives it. */
export const AGENT_SESSION_COOKIE = 'ac_agent';

export type AgentRevocationReason = 'sign_out' | 'deactivated' | 'password_changed' | 'password_reset' | 'role_awaiting_approval';

export interface IssuedAgentSession {
  readonly sessionId: string;
  /** Goes into the cookie once; only its SHA-256 is stored. */
  readonly token: string;
  readonly expiresAt: Date;
}

interface LiveRow {
  session_id: string;
  last_seen_at: Date;
  id: string;
  email: string;
  name: string;
  role: AgentRole;
  totp_enabled: boolean;
  password_change_required: boolean;
}

/**
 * Agent sessions, read from PostgreSQL on every request together with the agent, so a sign-out,
 * a deactivation or a password change ends them at once in every process. Idle timeout and
 * absolute lifetime are the ones of user sessions (SESSION_IDLE, SESSION_ABSOLUTE).
 */
@Injectable()
export class AgentSessionsService {
  private readonly lifetime: SessionLifetime;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @InjectConfig() config: AppConfig,
  ) {
    this.lifetime = new SessionLifetime(config.sessions);
  }

  async create(manager: EntityManager, agentId: string, client: { ip?: string; userAgent?: string }): Promise<IssuedAgentSession> {
    const { token, record } = this.lifetime.open(this.clock.now(), client);
    const session = Object.assign(new AgentSession(), { ...record, agentId } satisfies AgentSession);
    await manager.insert(AgentSession, session);
    return { sessionId: session.id, token, expiresAt: session.expiresAt };
  }

  /** The agent a cookie's token signs in, or undefined when it is unknown, ended, idle too long, its agent deactivated or waiting for a second admin's approval. */
  async authenticate(token: string): Promise<SignedInAgent | undefined> {
    if (!SESSION_TOKEN.test(token)) return undefined;
    const now = this.clock.now();
    const [row]: LiveRow[] = await this.dataSource.query(
      `SELECT s.id AS session_id, s.last_seen_at, a.id, a.email, a.name, a.role, a.totp_secret IS NOT NULL AS totp_enabled,
              a.password_change_required
         FROM agent_sessions s JOIN agents a ON a.id = s.agent_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3 AND a.active AND NOT a.awaiting_approval`,
      [hashToken(token), now, new Date(now.getTime() - this.lifetime.idleMs)],
    );
    if (!row) return undefined;
    if (this.lifetime.dueForTouch(row.last_seen_at, now.getTime())) {
      await this.dataSource.query('UPDATE agent_sessions SET last_seen_at = $2 WHERE id = $1', [row.session_id, now]);
    }
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      totpEnabled: row.totp_enabled,
      passwordChangeRequired: row.password_change_required,
      sessionId: row.session_id,
    };
  }

  /** Ends one session (sign-out); a no-op when it has ended already. */
  async revoke(sessionId: string, reason: AgentRevocationReason): Promise<void> {
    await this.dataSource.query('UPDATE agent_sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL', [
      sessionId,
      this.clock.now(),
      reason,
    ]);
  }

  /** Ends every session of the agent (but `exceptSessionId`) through the caller's transaction; returns how many. */
  async revokeAll(manager: EntityManager, agentId: string, reason: AgentRevocationReason, exceptSessionId?: string): Promise<number> {
    const [, affected]: [unknown, number] = await manager.query(
      `UPDATE agent_sessions SET revoked_at = $2, revoked_reason = $3 WHERE agent_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR id <> $4::uuid)`,
      [agentId, this.clock.now(), reason, exceptSessionId ?? null],
    );
    return affected;
  }
}
