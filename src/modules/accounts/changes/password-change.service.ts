import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../../common/clock';
import { AuditService } from '../../audit/audit.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { VerificationTokensService } from '../../verification/challenges/verification-tokens.service';
import { AccountsService, assertNotFrozen } from '../accounts.service';
import { PasswordPolicy } from '../password-policy';
import { AuthenticatedSession, auditActorOf } from '../principal';
import { SessionsService } from '../sessions.service';
import { SecurityRevertsService } from './security-reverts.service';

/**
 * The logon password change of seed 000: a verification token of purpose `change_password`, the
 * password policy, argon2id, and every root session of the account signed out (the current one
 * too); trusted devices stay. The owner hears of it by email (with a "this wasn't me" link) and SMS.
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

  async change(session: AuthenticatedSession, request: { verificationToken: string; newPassword: string }, ip?: string): Promise<{ revokedSessions: number }> {
    const account = await this.accounts.getChangeable(session);
    const binding = { accountUid: account.uid, sessionId: session.sessionId, purpose: 'change_password' };
    // A stale token is refused before the policy's and the hash's argon2id work.
    await this.tokens.assertUsable(request.verificationToken, binding);
    await this.policy.assertAcceptable(request.newPassword, {
      logonEmail: account.logonEmail,
      uid: account.uid,
      isCurrentPassword: (candidate) => this.accounts.verifyPassword(account, candidate),
    });
    const passwordHash = await this.accounts.hashPassword(request.newPassword);

    return this.dataSource.transaction(async (manager) => {
      const current = await this.accounts.lock(manager, account.uid);
      assertNotFrozen(current);
      await this.tokens.consume(manager, request.verificationToken, binding);
      await this.accounts.setPasswordHash(manager, current.uid, passwordHash);
      const revokedSessions = await this.sessions.revokeForAccount(manager, current.uid, 'password_changed', { rootOnly: true });
      const revertUrl = await this.reverts.issue(manager, { accountUid: current.uid, kind: 'password', formerValue: null });
      const variables = { uid: current.uid, at: this.clock.now().toISOString(), revertUrl };
      const notice = { template: 'password-changed', locale: current.locale, variables, accountUid: current.uid } as const;
      await this.notifications.notify(manager, { ...notice, channel: 'email', to: current.logonEmail });
      if (current.securePhone) await this.notifications.notify(manager, { ...notice, channel: 'sms', to: current.securePhone });
      await this.audit.record(manager, {
        action: 'account.password_changed',
        actor: auditActorOf(session.principal),
        subject: { type: 'account', id: current.uid },
        data: { revokedSessions, sessionId: session.sessionId },
        ip,
      });
      return { revokedSessions };
    });
  }
}
