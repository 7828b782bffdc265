import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Clock } from '../../common/clock';
import { hashToken } from '../../common/crypto/tokens';
import { NotFoundError, UnauthenticatedError } from '../../common/errors/domain-error';
import { SESSION_TOKEN, SessionLifetime } from '../../common/sessions/session-lifetime';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { RawEntity, rawEntity } from '../../database/raw-entity';
import { AuditService } from '../audit/audit.service';
import { Account } from './entities/account.entity';
import { Session } from './entities/session.entity';
import { AuthenticatedSession, auditActorOf, Principal } from './principal';

export interface IssuedSession {
  readonly sessionId: string;
  /** Shown once; only its SHA-256 is stored. */
  readonly token: string;
  /** The absolute expiry. */
  readonly expiresAt: Date;
  readonly principal: Principal;
}

export interface SessionView {
  readonly id: string;
  readonly current: boolean;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** Which sessions a revocation ends; the principal narrows it to one RAM user, role or SSO user (or root). */
interface RevokeFilter {
  readonly accountUid: string;
  readonly principal?: Principal;
  readonly sessionId?: string;
  readonly exceptSessionId?: string;
}

/** `current` the caller's session; `others` every other of the caller's; `all` every one of the caller's. */
export type RevokeScope = 'current' | 'others' | 'all';

/** What a revocation reads back in the session row. */
export type RevocationReason =
  | 'sign_out'
  | 'revoked'
  | 'password_changed'
  | 'account_frozen'
  | 'security_revert'
  | 'appeal_completed'
  | 'account_secured'
  | 'agent';

/**
 * Sessions: opaque 256-bit tokens, stored hashed. Every request reads its session from
 * PostgreSQL, so a revocation holds at once in every process.
 */
@Injectable()
export class SessionsService {
  private readonly lifetime: SessionLifetime;
  private readonly sessionRow: RawEntity<Session>;
  private readonly accountRow: RawEntity<Account>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectConfig() config: AppConfig,
  ) {
    this.lifetime = new SessionLifetime(config.sessions);
    this.sessionRow = rawEntity(dataSource, Session, 's');
    this.accountRow = rawEntity(dataSource, Account, 'a');
  }

  /** Creates a session through the caller's transaction (sign-in, or a minted role/SSO session). */
  async create(manager: EntityManager, principal: Principal, client: { ip?: string; userAgent?: string } = {}): Promise<IssuedSession> {
    const { token, record } = this.lifetime.open(this.clock.now(), client);
    const session = Object.assign(new Session(), {
      ...record,
      accountUid: principal.uid,
      principalType: principal.type,
      ramUserId: principal.ramUserId ?? null,
      principalName: principal.name ?? null,
    } satisfies Session);
    await this.sessionRow.insert(manager, session);
    return { sessionId: session.id, token, expiresAt: session.expiresAt, principal };
  }

  /**
   * The live session a token belongs to, with its account as it is now (one query for both: every
   * authenticated request needs the session, and most then read the account); UnauthenticatedError
   * when missing, expired or revoked.
   */
  async authenticate(token: string): Promise<AuthenticatedSession> {
    const [row] = SESSION_TOKEN.test(token)
      ? ((await this.dataSource.query(
          `SELECT ${this.sessionRow.columns}, ${this.accountRow.columns} FROM sessions s JOIN accounts a ON a.uid = s.account_uid WHERE s.token_hash = $1`,
          [hashToken(token)],
        )) as Record<string, unknown>[])
      : [];
    const session = row ? this.sessionRow.read(row) : undefined;
    const now = this.clock.nowMs();
    if (!session || !this.isLive(session, now)) throw new UnauthenticatedError('Your session has ended. Sign in again.');
    if (this.lifetime.dueForTouch(session.lastSeenAt, now)) {
      await this.dataSource.manager.update(Session, { id: session.id }, { lastSeenAt: new Date(now) });
    }
    return { sessionId: session.id, accountUid: session.accountUid, principal: principalOf(session), account: this.accountRow.read(row) };
  }

  /** The caller's live sessions (the same principal of the same account), newest first. */
  async list(current: AuthenticatedSession): Promise<SessionView[]> {
    const now = this.clock.nowMs();
    const { principal } = current;
    const sessions = await this.dataSource.manager.find(Session, {
      where: {
        accountUid: current.accountUid,
        revokedAt: IsNull(),
        principalType: principal.type,
        principalName: principal.name ?? IsNull(),
      },
      order: { createdAt: 'DESC' },
    });
    return sessions
      .filter((session) => this.isLive(session, now))
      .map((session) => ({
        id: session.id,
        current: session.id === current.sessionId,
        createdAt: session.createdAt,
        lastSeenAt: session.lastSeenAt,
        ip: session.ip,
        userAgent: session.userAgent,
      }));
  }

  /** Every live session of the account, whoever its principal, newest first (the back-office account page). */
  async listForAccount(accountUid: string): Promise<(SessionView & { principal: Principal })[]> {
    const now = this.clock.nowMs();
    const sessions = await this.dataSource.manager.find(Session, {
      where: { accountUid, revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
    return sessions
      .filter((session) => this.isLive(session, now))
      .map((session) => ({
        id: session.id,
        current: false,
        createdAt: session.createdAt,
        lastSeenAt: session.lastSeenAt,
        ip: session.ip,
        userAgent: session.userAgent,
        principal: principalOf(session),
      }));
  }

  /** Revokes one of the caller's sessions; NotFoundError when it is not one of them (or already ended). */
  async revokeOne(current: AuthenticatedSession, sessionId: string, ip?: string): Promise<void> {
    if (!isUUID(sessionId)) throw new NotFoundError('You have no such session.');
    await this.dataSource.transaction(async (manager) => {
      const revoked = await this.revoke(manager, { accountUid: current.accountUid, principal: current.principal, sessionId }, 'revoked');
      if (!revoked.length) throw new NotFoundError('You have no such session.');
      await this.recordRevocation(manager, current, revoked, 'one', ip);
    });
  }

  /** Revokes the caller's current session, every other one of theirs, or all of theirs; returns how many. */
  async revokeOwn(current: AuthenticatedSession, scope: RevokeScope, ip?: string): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const filter: RevokeFilter = { accountUid: current.accountUid, principal: current.principal };
      const revoked = await this.revoke(
        manager,
        scope === 'current'
          ? { ...filter, sessionId: current.sessionId }
          : scope === 'others'
            ? { ...filter, exceptSessionId: current.sessionId }
            : filter,
        scope === 'current' ? 'sign_out' : 'revoked',
      );
      await this.recordRevocation(manager, current, revoked, scope, ip);
      return revoked.length;
    });
  }

  /**
   * Revokes sessions of an account through the caller's transaction (password change: `rootOnly`;
   * freeze, revert, appeal completion: all of them; "this wasn't me": all but the caller's) and returns how many. The caller records the
   * audit event of the change that caused it.
   */
  async revokeForAccount(
    manager: EntityManager,
    accountUid: string,
    reason: RevocationReason,
    options: { rootOnly?: boolean; exceptSessionId?: string } = {},
  ): Promise<number> {
    const filter: RevokeFilter = {
      accountUid,
      ...(options.rootOnly ? { principal: { type: 'root', uid: accountUid } } : {}),
      ...(options.exceptSessionId ? { exceptSessionId: options.exceptSessionId } : {}),
    };
    return (await this.revoke(manager, filter, reason)).length;
  }

  /** True while the session may be used: not revoked, before its absolute expiry, within the idle timeout. */
  private isLive(session: Session, now: number): boolean {
    return session.revokedAt === null && session.expiresAt.getTime() > now && session.lastSeenAt.getTime() + this.lifetime.idleMs > now;
  }

  private async revoke(manager: EntityManager, filter: RevokeFilter, reason: RevocationReason): Promise<string[]> {
    const query = manager
      .createQueryBuilder()
      .update(Session)
      .set({ revokedAt: this.clock.now(), revokedReason: reason })
      .where('account_uid = :accountUid AND revoked_at IS NULL', { accountUid: filter.accountUid })
      .returning(['id']);
    if (filter.principal) {
      query.andWhere('principal_type = :type', { type: filter.principal.type });
      query.andWhere('principal_name IS NOT DISTINCT FROM :name', { name: filter.principal.name ?? null });
    }
    if (filter.sessionId) query.andWhere('id = :sessionId', { sessionId: filter.sessionId });
    if (filter.exceptSessionId) query.andWhere('id <> :exceptSessionId', { exceptSessionId: filter.exceptSessionId });
    const { raw } = await query.execute();
    return (raw as { id: string }[]).map((row) => row.id);
  }

  private async recordRevocation(
    manager: EntityManager,
    current: AuthenticatedSession,
    sessionIds: string[],
    scope: RevokeScope | 'one',
    ip?: string,
  ): Promise<void> {
    if (!sessionIds.length) return;
    await this.audit.record(manager, {
      action: 'session.revoked',
      actor: auditActorOf(current.principal),
      subject: { type: 'account', id: current.accountUid },
      data: { scope, sessionIds },
      ip,
    });
  }
}

function principalOf(session: Session): Principal {
  return {
    type: session.principalType,
    uid: session.accountUid,
    ...(session.principalName ? { name: session.principalName } : {}),
    ...(session.ramUserId ? { ramUserId: session.ramUserId } : {}),
  };
}
