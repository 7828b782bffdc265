import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../common/clock';
import { CryptoService } from '../../../common/crypto/crypto.service';
import { NotFoundError } from '../../../common/errors/domain-error';
import { AuditService } from '../../audit/audit.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { CHALLENGE_RULES } from '../../challenges/challenge-limits';
import { ChallengeScope, CodeChallengesService } from '../../challenges/code-challenges.service';
import { VerificationTokensService } from '../../challenges/verification-tokens.service';
import { SameAsCurrentError } from '../accounts.errors';
import { AccountsService, assertNotFrozen } from '../accounts.service';
import { Account } from '../entities/account.entity';
import { AuthenticatedSession, auditActorOf } from '../principal';
import { TotpService } from '../totp.service';

/**
 * Authenticator apps: enrolment (a verification token of purpose `enable_totp` gives a new secret,
 * which a first code from the app activates, answering ten single-use recovery codes) and
 * removal (purpose `disable_totp`). The secret awaiting its first code is sealed in a challenge of
 * kind `totp_enrolment`, bound to the session, with the attempts and lifetime of any code.
 */
@Injectable()
export class TotpEnrolmentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly totp: TotpService,
    private readonly challenges: CodeChallengesService,
    private readonly tokens: VerificationTokensService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
  ) {}

  /** A new secret for the app to scan; TOTP stays as it was until `activate`. */
  async enrol(session: AuthenticatedSession, verificationToken: string, ip?: string): Promise<{ secret: string; otpauthUri: string }> {
    const account = await this.accounts.getChangeable(session);
    const secret = this.totp.newSecret();
    await this.dataSource.transaction(async (manager) => {
      await this.tokens.consume(manager, verificationToken, {
        accountUid: account.uid,
        sessionId: session.sessionId,
        purpose: 'enable_totp',
      });
      await this.challenges.cancelOpen(manager, account.uid, ['totp_enrolment']);
      await this.challenges.issue(manager, {
        kind: 'totp_enrolment',
        method: 'totp',
        account,
        sessionId: session.sessionId,
        purpose: 'enable_totp',
        context: { secret: this.crypto.seal(secret) },
        ip,
      });
    });
    return { secret, otpauthUri: this.totp.otpauthUri(secret, account.logonEmail) };
  }

  /** The secret this session's enrolment awaits a first code for, to show again (the set-up page); undefined when none does. */
  async pendingEnrolment(session: AuthenticatedSession): Promise<{ secret: string; otpauthUri: string } | undefined> {
    const account = await this.accounts.getChangeable(session);
    const id = await this.findPendingEnrolmentId(session);
    if (!id) return undefined;
    const pending = await this.challenges.find(id, scopeOf(session));
    if (pending.expiresAt.getTime() <= this.clock.nowMs() || pending.attempts >= CHALLENGE_RULES.attemptsPerChallenge) return undefined;
    const secret = this.crypto.unseal(String(pending.context.secret));
    return { secret, otpauthUri: this.totp.otpauthUri(secret, account.logonEmail) };
  }

  /** The first code from the app turns the new secret on; 404 when no enrolment of this session awaits one. */
  async activate(session: AuthenticatedSession, code: string, ip?: string): Promise<{ totpEnabled: true; recoveryCodes: string[] }> {
    const account = await this.accounts.getChangeable(session);
    const scope = scopeOf(session);
    const pending = await this.challenges.find(await this.pendingEnrolmentId(session), scope);
    const secret = this.crypto.unseal(String(pending.context.secret));
    let acceptedStep: number | null = null;
    return this.challenges.verify(pending.id, code, scope, {
      account,
      ip,
      checkTotp: async (candidate) => (acceptedStep = await this.totp.matchStep(secret, candidate.trim())) !== null,
      onSuccess: async (manager) => {
        const current = await this.accounts.lock(manager, account.uid);
        assertNotFrozen(current);
        await this.accounts.setTotpSecret(manager, current.uid, secret, acceptedStep);
        const recoveryCodes = await this.totp.issueRecoveryCodes(manager, current.uid);
        await this.notify(manager, current, true);
        await this.audit.record(manager, {
          action: 'account.totp_enabled',
          actor: auditActorOf(session.principal),
          subject: { type: 'account', id: current.uid },
          data: { replacedEarlierApp: current.totpSecret !== null },
          ip,
        });
        return { totpEnabled: true as const, recoveryCodes };
      },
    });
  }

  /** Turns TOTP off, recovery codes included; 422 SAME_AS_CURRENT when it is off already. */
  async disable(session: AuthenticatedSession, verificationToken: string, ip?: string): Promise<void> {
    const account = await this.accounts.getChangeable(session);
    await this.dataSource.transaction(async (manager) => {
      await this.tokens.consume(manager, verificationToken, {
        accountUid: account.uid,
        sessionId: session.sessionId,
        purpose: 'disable_totp',
      });
      const current = await this.accounts.lock(manager, account.uid);
      assertNotFrozen(current);
      if (current.totpSecret === null) throw new SameAsCurrentError('No authenticator app is set up for this account.');
      await this.totp.disable(manager, current.uid);
      await this.notify(manager, current, false);
      await this.audit.record(manager, {
        action: 'account.totp_disabled',
        actor: auditActorOf(session.principal),
        subject: { type: 'account', id: current.uid },
        data: {},
        ip,
      });
    });
  }

  private async notify(manager: EntityManager, account: Account, enabled: boolean): Promise<void> {
    await this.notifications.notify(manager, {
      template: 'totp-changed',
      channel: 'email',
      to: account.logonEmail,
      locale: account.locale,
      timeZone: account.timeZone,
      variables: { uid: account.uid, at: this.clock.now().toISOString(), enabled },
      accountUid: account.uid,
    });
  }

  private async pendingEnrolmentId(session: AuthenticatedSession): Promise<string> {
    const id = await this.findPendingEnrolmentId(session);
    if (!id) throw new NotFoundError('No authenticator app set-up is in progress: start it again.');
    return id;
  }

  private async findPendingEnrolmentId(session: AuthenticatedSession): Promise<string | undefined> {
    const challenge = await this.challenges.latestOpen({
      kind: 'totp_enrolment',
      accountUid: session.accountUid,
      sessionId: session.sessionId,
    });
    return challenge?.id;
  }
}

function scopeOf(session: AuthenticatedSession): ChallengeScope {
  return { kind: 'totp_enrolment', accountUid: session.accountUid, sessionId: session.sessionId };
}
