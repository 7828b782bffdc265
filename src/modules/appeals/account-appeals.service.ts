import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { maskEmail } from '../../common/masking';
import { AccountsService } from '../accounts/accounts.service';
import { AuthenticatedSession, auditActorOf } from '../accounts/principal';
import { AuditService } from '../audit/audit.service';
import { VerificationTokensService } from '../challenges/verification-tokens.service';
import { AppealChange } from '../notifications/notification-templates';
import { AppealCoolingOffService, OBJECTION_CHANGE_WINDOW_MS, ObjectionOutcome } from './appeal-cooling-off.service';
import { AppealTransitions } from './appeal-transitions';
import { AppealStatus, isClosed, OPEN_STATUSES } from './appeal-workflow';
import { AppealsRepository, REFERENCE } from './appeals.repository';
import { Appeal } from './entities/appeal.entity';
import { changeKeys } from './requested-changes';

/** An open appeal against the signed-in owner's account, as `GET /api/v1/account/appeals` shows it. */
export interface AccountAppealView {
  readonly reference: string;
  readonly status: AppealStatus;
  readonly requestedChanges: AppealChange[];
  readonly filedAt: Date;
  readonly scheduledFor?: Date;
  /** The person's contact email, masked. */
  readonly contactEmail: string;
  /** Set while a stop (the owner's, or a contact's objection) waits for a supervisor's decision; the pages say so. */
  readonly stopRecordedAt: Date | null;
}

/** Password changes of every kind, as the audit log names them. */
const PASSWORD_CHANGES = ['account.password_changed', 'account.password_recovered', 'account.password_reset'];

/**
 * The owner's side of appeals: the open appeals that name the signed-in owner's account, and the
 * stop. With a verification token of purpose `stop_appeal` (any method the account has) the owner
 * stops an open appeal: it becomes `objected` (a supervisor may reopen it), the person gets
 * `appeal-closed`, and the audit log keeps who stopped it and how. When the account's logon email,
 * secure phone or password changed in the 30 days before the filing, whoever is signed in may be a
 * hijacker: the stop is recorded instead (the appeal held for a supervisor, as a recorded objection).
 */
@Injectable()
export class AccountAppealsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AppealsRepository,
    private readonly accounts: AccountsService,
    private readonly tokens: VerificationTokensService,
    private readonly transitions: AppealTransitions,
    private readonly coolingOff: AppealCoolingOffService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The open appeals that matched the account, newest first; root sessions only (403 otherwise). */
  async list(session: AuthenticatedSession): Promise<AccountAppealView[]> {
    const account = await this.accounts.getChangeable(session);
    // appeals_account_uid_idx: the account's appeals, few.
    const appeals = await this.dataSource.manager.find(Appeal, {
      where: { accountUid: account.uid, status: In([...OPEN_STATUSES]) },
      order: { createdAt: 'DESC' },
    });
    return appeals.map((appeal) => ({
      reference: appeal.reference,
      status: appeal.status,
      requestedChanges: changeKeys(appeal.changes),
      filedAt: appeal.createdAt,
      ...(appeal.scheduledFor ? { scheduledFor: appeal.scheduledFor } : {}),
      contactEmail: maskEmail(appeal.contactEmail),
      stopRecordedAt: appeal.objectionRecordedAt,
    }));
  }

  /**
   * Stops an open appeal against the account: 200 `objected`, or 202 with the stop recorded (see
   * the class). 404 when the appeal is not this account's or is closed; 403
   * VERIFICATION_TOKEN_INVALID for a token of another purpose, session or account, used or expired.
   */
  async stop(session: AuthenticatedSession, reference: string, verificationToken: string, ip?: string): Promise<ObjectionOutcome> {
    const account = await this.accounts.getChangeable(session);
    let stopped: string | null = null;
    const outcome = await this.dataSource.transaction(async (manager): Promise<ObjectionOutcome> => {
      const appeal = REFERENCE.test(reference) ? await this.repository.lockByReference(manager, reference) : null;
      if (!appeal || appeal.accountUid !== account.uid || isClosed(appeal.status)) throw notFound();
      const { method } = await this.tokens.consume(manager, verificationToken, {
        accountUid: account.uid,
        sessionId: session.sessionId,
        purpose: 'stop_appeal',
      });
      const actor = auditActorOf(session.principal);
      const changedAt = await this.recentChange(manager, appeal);
      const facts = { method, sessionId: session.sessionId };
      if (changedAt) {
        // Whoever is signed in may have taken the account shortly before the real owner appealed: a supervisor decides.
        const now = this.clock.now();
        await this.transitions.move(manager, appeal, appeal.status, now, { patch: { objectionRecordedAt: now } });
        await this.audit.record(manager, {
          action: 'appeal.owner_stop_recorded',
          actor,
          subject: { type: 'appeal', id: appeal.reference },
          data: { ...facts, securityChangedAt: changedAt.toISOString(), version: appeal.version },
          ip,
        });
        await this.recordOnAccount(manager, account.uid, appeal.reference, { ...facts, recorded: true }, ip);
        return { status: appeal.status, objection: 'recorded' };
      }
      await this.transitions.byParty(manager, appeal, 'owner', 'stop', { actor, ip, data: facts });
      await this.recordOnAccount(manager, account.uid, appeal.reference, { ...facts, recorded: false }, ip);
      stopped = appeal.id;
      return { status: 'objected' };
    });
    if (stopped) await this.coolingOff.dequeue(stopped);
    return outcome;
  }

  /** The account's security activity shows the stop too. */
  private recordOnAccount(manager: EntityManager, uid: string, reference: string, data: Record<string, unknown>, ip?: string) {
    return this.audit.record(manager, {
      action: 'account.appeal_stopped',
      actor: { type: 'account', id: uid },
      subject: { type: 'account', id: uid },
      data: { reference, ...data },
      ip,
    });
  }

  /**
   * The latest change of the account's logon email, secure phone or password in the 30 days
   * before the filing, else null. The values given at the account's creation never count.
   */
  private async recentChange(manager: EntityManager, appeal: Appeal): Promise<Date | null> {
    const filedAt = appeal.createdAt;
    const since = new Date(filedAt.getTime() - OBJECTION_CHANGE_WINDOW_MS);
    const within = (at: Date) => at.getTime() >= since.getTime() && at.getTime() <= filedAt.getTime();
    const contacts = (await this.accounts.formerContacts(appeal.accountUid!, manager)).map((contact) => contact.replacedAt).filter(within);
    const password = await this.audit.latestOf({ type: 'account', id: appeal.accountUid! }, PASSWORD_CHANGES, since, filedAt);
    const all = [...contacts, ...(password ? [password] : [])].sort((a, b) => b.getTime() - a.getTime());
    return all[0] ?? null;
  }
}

function notFound(): NotFoundError {
  return new NotFoundError('There is no open appeal with this reference against your account.');
}
