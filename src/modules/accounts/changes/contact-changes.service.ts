import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../common/clock';
import { normaliseEmail } from '../../../common/contacts';
import { FlatJsonObject } from '../../../common/json';
import { maskEmail, maskPhone } from '../../../common/masking';
import { AuditService } from '../../audit/audit.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { ChallengeScope, CodeChallengesService } from '../../challenges/code-challenges.service';
import { CodeChallenge } from '../../challenges/entities/code-challenge.entity';
import { VerificationTokensService } from '../../challenges/verification-tokens.service';
import { EmailInUseError, SameAsCurrentError } from '../accounts.errors';
import { AccountsService, assertNotFrozen } from '../accounts.service';
import { Account } from '../entities/account.entity';
import { AuthenticatedSession, auditActorOf } from '../principal';
import { SecurityRevertsService } from './security-reverts.service';

/** The two contacts a pending change replaces: the logon email (code to the new email) and the secure phone (code by SMS to the new phone). */
export type ContactChangeKind = 'email_change' | 'phone_change';

/** `202` of a started change, as docs/api.md shapes it. */
export interface PendingChangeView {
  readonly changeId: string;
  readonly maskedDestination: string;
  readonly expiresAt: Date;
  readonly resendAvailableAt: Date | null;
}

const SPECS = {
  email_change: { purpose: 'change_email', method: 'email', template: 'email-change-code' },
  phone_change: { purpose: 'change_phone', method: 'sms', template: 'phone-change-code' },
} as const;

/**
 * Logon email and secure phone changes (docs/product.md): a verification token starts a pending change,
 * a code goes to the new address, and the right code applies it. The pending change is a code
 * challenge of the session that started it (same code rules and limits as verification), so it
 * is "not found" to any other session, and dies with its own.
 */
@Injectable()
export class ContactChangesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly challenges: CodeChallengesService,
    private readonly tokens: VerificationTokensService,
    private readonly reverts: SecurityRevertsService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** 409 EMAIL_IN_USE when another account has the address (in any case); 422 SAME_AS_CURRENT. */
  startEmailChange(
    session: AuthenticatedSession,
    request: { verificationToken: string; newEmail: string },
    ip?: string,
  ): Promise<PendingChangeView> {
    const newEmail = normaliseEmail(request.newEmail);
    return this.start(session, 'email_change', request.verificationToken, newEmail, ip, async (account) => {
      if (newEmail.toLowerCase() === account.logonEmail.toLowerCase())
        throw new SameAsCurrentError('This is already the logon email of the account.');
      const holder = await this.accounts.findByLogonEmail(newEmail);
      if (holder && holder.uid !== account.uid) throw new EmailInUseError();
    });
  }

  /** 422 SAME_AS_CURRENT; the phone is E.164, validated by the request. */
  startPhoneChange(
    session: AuthenticatedSession,
    request: { verificationToken: string; newPhone: string },
    ip?: string,
  ): Promise<PendingChangeView> {
    return this.start(session, 'phone_change', request.verificationToken, request.newPhone, ip, async (account) => {
      if (request.newPhone === account.securePhone) throw new SameAsCurrentError('This is already the secure phone of the account.');
    });
  }

  /** The change of `kind` this session started and has not confirmed or cancelled yet, while its code lives (the pages show it). */
  async pending(session: AuthenticatedSession, kind: ContactChangeKind): Promise<PendingChangeView | undefined> {
    const challenge = await this.challenges.latestOpen(
      { kind, accountUid: session.accountUid, sessionId: session.sessionId },
      { liveAt: this.clock.now() },
    );
    if (!challenge) return undefined;
    const destination = String(challenge.context.value);
    return {
      changeId: challenge.id,
      maskedDestination: kind === 'email_change' ? maskEmail(destination) : maskPhone(destination),
      expiresAt: challenge.expiresAt,
      resendAvailableAt: challenge.resendAvailableAt,
    };
  }

  async resend(
    session: AuthenticatedSession,
    kind: ContactChangeKind,
    changeId: string,
  ): Promise<{ resendAvailableAt: Date | null; expiresAt: Date }> {
    const account = await this.accounts.getChangeable(session);
    const challenge = await this.challenges.resend(changeId, scopeOf(kind, session), { account });
    return { resendAvailableAt: challenge.resendAvailableAt, expiresAt: challenge.expiresAt };
  }

  /** Applies the change with the code sent to the new address; 409 EMAIL_IN_USE if another account took the email meanwhile. */
  confirmEmailChange(session: AuthenticatedSession, changeId: string, code: string, ip?: string): Promise<{ logonEmail: string }> {
    return this.confirm(session, 'email_change', changeId, code, ip, (manager, challenge) =>
      this.applyEmail(manager, session, challenge, ip),
    );
  }

  confirmPhoneChange(session: AuthenticatedSession, changeId: string, code: string, ip?: string): Promise<{ securePhone: string }> {
    return this.confirm(session, 'phone_change', changeId, code, ip, (manager, challenge) =>
      this.applyPhone(manager, session, challenge, ip),
    );
  }

  async cancel(session: AuthenticatedSession, kind: ContactChangeKind, changeId: string, ip?: string): Promise<void> {
    const account = await this.accounts.getChangeable(session);
    await this.dataSource.transaction(async (manager) => {
      await this.challenges.cancel(manager, changeId, scopeOf(kind, session));
      await this.audit.record(manager, {
        action: 'account.contact_change_cancelled',
        actor: auditActorOf(session.principal),
        subject: { type: 'account', id: account.uid },
        data: { kind, changeId },
        ip,
      });
    });
  }

  /** Checks the code of a pending change of this session (the verification rules and limits) and applies it in the transaction that uses the code. */
  private async confirm<T>(
    session: AuthenticatedSession,
    kind: ContactChangeKind,
    changeId: string,
    code: string,
    ip: string | undefined,
    apply: (manager: EntityManager, challenge: CodeChallenge) => Promise<T>,
  ): Promise<T> {
    const account = await this.accounts.getChangeable(session);
    return this.challenges.verify(changeId, code, scopeOf(kind, session), { account, ip, onSuccess: apply });
  }

  /**
   * Uses the verification token up (only if everything else succeeds: the transaction rolls it
   * back otherwise), replaces an earlier pending change of the same kind, and sends the code.
   */
  private async start(
    session: AuthenticatedSession,
    kind: ContactChangeKind,
    verificationToken: string,
    destination: string,
    ip: string | undefined,
    check: (account: Account) => Promise<void>,
  ): Promise<PendingChangeView> {
    const spec = SPECS[kind];
    const account = await this.accounts.getChangeable(session);
    const challenge = await this.dataSource.transaction(async (manager) => {
      await this.tokens.consume(manager, verificationToken, {
        accountUid: account.uid,
        sessionId: session.sessionId,
        purpose: spec.purpose,
      });
      await check(account);
      await this.challenges.cancelOpen(manager, account.uid, [kind]);
      const variables: FlatJsonObject = kind === 'email_change' ? { uid: account.uid } : {};
      return this.challenges.issue(manager, {
        kind,
        method: spec.method,
        account,
        sessionId: session.sessionId,
        purpose: spec.purpose,
        destination,
        message: { template: spec.template, locale: account.locale, variables },
        context: { value: destination },
        ip,
      });
    });
    return {
      changeId: challenge.id,
      maskedDestination: kind === 'email_change' ? maskEmail(destination) : maskPhone(destination),
      expiresAt: challenge.expiresAt,
      resendAvailableAt: challenge.resendAvailableAt,
    };
  }

  private async applyEmail(
    manager: EntityManager,
    session: AuthenticatedSession,
    challenge: CodeChallenge,
    ip?: string,
  ): Promise<{ logonEmail: string }> {
    const current = await this.accounts.lock(manager, session.accountUid);
    assertNotFrozen(current);
    const newEmail = String(challenge.context.value);
    if (newEmail.toLowerCase() === current.logonEmail.toLowerCase())
      throw new SameAsCurrentError('This is already the logon email of the account.');
    // The unique index on lower(logon_email) decides between two accounts confirming one address at once: 409 for the second.
    await this.accounts.setLogonEmail(manager, current.uid, newEmail);
    const formerEmail = current.logonEmail;
    const revertUrl = await this.reverts.issue(manager, { accountUid: current.uid, kind: 'logon_email', formerValue: formerEmail });
    const at = this.clock.now().toISOString();
    const notice = { channel: 'email', locale: current.locale, timeZone: current.timeZone, accountUid: current.uid } as const;
    await this.notifications.notify(manager, {
      ...notice,
      template: 'logon-email-changed',
      to: formerEmail,
      variables: { uid: current.uid, at, newEmail: maskEmail(newEmail), revertUrl },
    });
    await this.notifications.notify(manager, {
      ...notice,
      template: 'logon-email-added',
      to: newEmail,
      variables: { uid: current.uid, at, newEmail },
    });
    await this.audit.record(manager, {
      action: 'account.logon_email_changed',
      actor: auditActorOf(session.principal),
      subject: { type: 'account', id: current.uid },
      data: { changeId: challenge.id, from: maskEmail(formerEmail), to: maskEmail(newEmail) },
      ip,
    });
    return { logonEmail: newEmail };
  }

  private async applyPhone(
    manager: EntityManager,
    session: AuthenticatedSession,
    challenge: CodeChallenge,
    ip?: string,
  ): Promise<{ securePhone: string }> {
    const current = await this.accounts.lock(manager, session.accountUid);
    assertNotFrozen(current);
    const newPhone = String(challenge.context.value);
    if (newPhone === current.securePhone) throw new SameAsCurrentError('This is already the secure phone of the account.');
    await this.accounts.setSecurePhone(manager, current.uid, newPhone);
    const formerPhone = current.securePhone;
    const revertUrl = await this.reverts.issue(manager, { accountUid: current.uid, kind: 'secure_phone', formerValue: formerPhone });
    const notice = {
      template: 'secure-phone-changed',
      locale: current.locale,
      timeZone: current.timeZone,
      accountUid: current.uid,
      variables: { uid: current.uid, at: this.clock.now().toISOString(), newPhone: maskPhone(newPhone), revertUrl },
    } as const;
    await this.notifications.notify(manager, { ...notice, channel: 'email', to: current.logonEmail });
    if (formerPhone) await this.notifications.notify(manager, { ...notice, channel: 'sms', to: formerPhone });
    await this.audit.record(manager, {
      action: 'account.secure_phone_changed',
      actor: auditActorOf(session.principal),
      subject: { type: 'account', id: current.uid },
      data: { changeId: challenge.id, from: formerPhone ? maskPhone(formerPhone) : null, to: maskPhone(newPhone) },
      ip,
    });
    return { securePhone: maskPhone(newPhone) };
  }
}

/** A pending change belongs to the session that started it: another session, account or a cancelled change is "not found". */
function scopeOf(kind: ContactChangeKind, session: AuthenticatedSession): ChallengeScope {
  return { kind, accountUid: session.accountUid, sessionId: session.sessionId };
}
