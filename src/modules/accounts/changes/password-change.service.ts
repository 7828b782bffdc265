import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../common/clock';
import { AuditAction } from '../../audit/audit-actions';
import { AuditActor, AuditService } from '../../audit/audit.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { VerificationTokensService } from '../../challenges/verification-tokens.service';
import { AccountsService, assertNotFrozen } from '../accounts.service';
import { Account } from '../entities/account.entity';
import { PasswordPolicy } from '../password-policy';
import { AuthenticatedSession, auditActorOf } from '../principal';
import { SessionsService } from '../sessions.service';
import { SecurityRevertsService } from './security-reverts.service';

/** How the audit log tells one way of setting a new logon password from another. */
export interface PasswordChangeRecord {
  readonly action: AuditAction;
  readonly actor: AuditActor;
  /** Kept beside `revokedSessions`. */
  readonly data: Record<string, unknown>;
  readonly ip?: string;
}

/**
 * The logon password change (docs/product.md): a verification token of purpose `change_password`, the
 * password policy, argon2id, and every root session of the account signed out (the current one
 * too); trusted devices stay. The owner hears of it by email (with a "this wasn't me" link) and SMS.
 * Password recovery sets a password the same way (`acceptableHash`, then `apply`).
 */
@Injectable()
export class PasswordChangeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly tokens: VerificationTokensService,
    private readonly policy: PasswordPolicy,
    private readonly reverts: SecurityRevertsService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async change(
    session: AuthenticatedSession,
    request: { verificationToken: string; newPassword: string },
    ip?: string,
  ): Promise<{ revokedSessions: number }> {
    const account = await this.accounts.getChangeable(session);
    const binding = { accountUid: account.uid, sessionId: session.sessionId, purpose: 'change_password' };
    // A stale token is refused before the policy's and the hash's argon2id work.
    await this.tokens.assertUsable(request.verificationToken, binding);
    const passwordHash = await this.acceptableHash(account, request.newPassword);

    return this.dataSource.transaction(async (manager) => {
      const current = await this.accounts.lock(manager, account.uid);
      assertNotFrozen(current);
      await this.tokens.consume(manager, request.verificationToken, binding);
      const revokedSessions = await this.apply(manager, current, passwordHash, {
        action: 'account.password_changed',
        actor: auditActorOf(session.principal),
        data: { sessionId: session.sessionId },
        ip,
      });
      return { revokedSessions };
    });
  }

  /** The policy's verdict on the new password (422 PASSWORD_POLICY naming every rule broken), then its argon2id hash. */
  async acceptableHash(account: Account, newPassword: string): Promise<string> {
    await this.policy.assertAcceptable(newPassword, {
      logonEmail: account.logonEmail,
      uid: account.uid,
      isCurrentPassword: (candidate) => this.accounts.verifyPassword(account, candidate),
    });
    return this.accounts.hashPassword(newPassword);
  }

  /**
   * What every new logon password brings, through the caller's transaction on the account it has
   * locked: the hash stored, every root session signed out, a "this wasn't me" link in the
   * `password-changed` email (and an SMS to the secure phone), and the audit event. Returns how
   * many sessions ended.
   */
  async apply(manager: EntityManager, account: Account, passwordHash: string, record: PasswordChangeRecord): Promise<number> {
    await this.accounts.setPasswordHash(manager, account.uid, passwordHash);
    const revokedSessions = await this.sessions.revokeForAccount(manager, account.uid, 'password_changed', { rootOnly: true });
    const revertUrl = await this.reverts.issue(manager, { accountUid: account.uid, kind: 'password', formerValue: null });
    const variables = { uid: account.uid, at: this.clock.now().toISOString(), revertUrl };
    const notice = {
      template: 'password-changed',
      locale: account.locale,
      timeZone: account.timeZone,
      variables,
      accountUid: account.uid,
    } as const;
    await this.notifications.notify(manager, { ...notice, channel: 'email', to: account.logonEmail });
    if (account.securePhone) await this.notifications.notify(manager, { ...notice, channel: 'sms', to: account.securePhone });
    await this.audit.record(manager, {
      action: record.action,
      actor: record.actor,
      subject: { type: 'account', id: account.uid },
      data: { revokedSessions, ...record.data },
      ip: record.ip,
    });
    return revokedSessions;
  }
}
