import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { EmailInUseError } from '../accounts/accounts.errors';
import { AccountsService } from '../accounts/accounts.service';
import { Account } from '../accounts/entities/account.entity';
import { TotpService } from '../accounts/totp.service';
import { PasskeyCredentialsService } from '../accounts/passkey-credentials.service';
import { DevicesService } from '../accounts/devices.service';
import { SessionsService } from '../accounts/sessions.service';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { maskUid } from './appeal-cooling-off.service';
import { AppealNotices } from './appeal-notices';
import { AppealTransitions } from './appeal-transitions';
import { decidePartyAction } from './appeal-workflow';
import { AppealsRepository } from './appeals.repository';
import { AppealPasswordResetsService } from './appeal-password-resets.service';
import { Appeal } from './entities/appeal.entity';
import { changeKeys } from './requested-changes';

/**
 * `applied`: this run made the change; `rejected`: it never can (the new logon email became
 * another account's), so the appeal was rejected; `held`: a recorded objection waits for a
 * supervisor; `not_scheduled`: nothing to do (done
 * already, cancelled, objected); `not_due`: cooling-off not over.
 */
export type ApplyOutcome = 'applied' | 'rejected' | 'held' | 'not_scheduled' | 'not_due';

/** What the person reads when the new logon email was taken during the cooling-off. */
const EMAIL_IN_USE_MESSAGE: Record<string, string> = {
  en: 'The new logon email you asked for now belongs to another account, so we could not apply your appeal and nothing was changed. File a new appeal with another email address that you verify.',
  'zh-CN': '您申请的新登录邮箱现已属于另一个账号，因此申诉无法生效，账号未做任何更改。请使用另一个经验证的邮箱重新提交申诉。',
};

/** How many due appeals one sweep applies; the next run takes the rest. */
const SWEEP_BATCH = 200;

/**
 * Applies approved appeals once their cooling-off ends, each in one transaction: the new logon
 * email and secure phone (a secure phone the appeal did not replace is removed: nobody vouched
 * for it), TOTP removed if asked, a password-reset link to the contact if asked, every session
 * and trusted device revoked, the account unfrozen, the appeal completed, the contacts on record
 * until then told (`appeal-applied`). The appeal's row lock
 * and status make a second run (a retried job, the sweep, another worker) a no-op.
 */
@Injectable()
export class AppealCompletionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AppealsRepository,
    private readonly transitions: AppealTransitions,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly devices: DevicesService,
    private readonly totp: TotpService,
    private readonly passkeys: PasskeyCredentialsService,
    private readonly passwordResets: AppealPasswordResetsService,
    private readonly notices: AppealNotices,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(AppealCompletionService.name);
  }

  async apply(appealId: string): Promise<ApplyOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const appeal = await this.repository.lockById(manager, appealId);
      if (!appeal || appeal.status !== 'scheduled') return 'not_scheduled';
      const now = this.clock.now();
      if (appeal.scheduledFor && appeal.scheduledFor.getTime() > now.getTime()) return 'not_due';
      // A recorded objection waits for a supervisor's decision; dismissing it queues the appeal again.
      if (appeal.objectionRecordedAt) return 'held';
      decidePartyAction(appeal, 'system', 'complete');

      const uid = appeal.accountUid!;
      const before = await this.accounts.lock(manager, uid);
      const { changes } = appeal;
      if (changes.logonEmail && !(await this.takeLogonEmail(manager, uid, changes.logonEmail))) {
        await this.rejectEmailInUse(manager, appeal);
        return 'rejected';
      }
      const securePhoneRemoved = !changes.securePhone && before.securePhone !== null;
      if (changes.securePhone || securePhoneRemoved) await this.accounts.setSecurePhone(manager, uid, changes.securePhone ?? null);
      // The secret and the recovery codes that stand in for it go together.
      if (changes.disableTotp) await this.totp.disable(manager, uid);
      const resetUrl = changes.resetPassword ? await this.passwordResets.issue(manager, uid, appeal.id) : null;
      const revokedSessions = await this.sessions.revokeForAccount(manager, uid, 'appeal_completed');
      const forgottenDevices = await this.devices.forgetAll(manager, uid);
      // A factor nobody vouched for in the appeal must not survive the recovery.
      const removedPasskeys = await this.passkeys.removeAll(manager, uid);
      await this.accounts.setStatus(manager, uid, 'active');

      const from = appeal.status;
      const completed = await this.transitions.move(manager, appeal, 'completed', now);
      await this.notices.toContact(manager, completed, 'appeal-completed', {
        uid,
        logonEmail: changes.logonEmail ?? before.logonEmail,
        changes: changeKeys(changes),
        securePhoneRemoved,
        resetUrl,
      });
      // The contacts on record until now hear what changed: the owner, if the appeal was not theirs, learns it here.
      await this.tellFormerContacts(manager, before, {
        maskedUid: maskUid(uid),
        at: now.toISOString(),
        changes: changeKeys(changes),
        securePhoneRemoved,
      });
      const applied = {
        changes: changeKeys(changes),
        securePhoneRemoved,
        revokedSessions,
        forgottenDevices,
        removedPasskeys,
        unfrozen: before.status === 'frozen',
      };
      await this.audit.record(manager, {
        action: 'account.recovered_by_appeal',
        actor: { type: 'system' },
        subject: { type: 'account', id: uid },
        data: { reference: appeal.reference, ...applied },
      });
      await this.audit.record(manager, {
        action: 'appeal.completed',
        actor: { type: 'system' },
        subject: { type: 'appeal', id: appeal.reference },
        data: { from, to: completed.status, version: completed.version, ...applied },
      });
      return 'applied';
    });
  }

  /**
   * Moves the logon email to the appeal's new address, in a savepoint: when another account
   * took the address during the cooling-off (it was free at approval), false and nothing changed.
   */
  private async takeLogonEmail(manager: EntityManager, uid: string, email: string): Promise<boolean> {
    const holder = await this.accounts.findByLogonEmail(email, manager);
    if (holder && holder.uid !== uid) return false;
    try {
      await manager.transaction((savepoint) => this.accounts.setLogonEmail(savepoint, uid, email));
      return true;
    } catch (error) {
      if (error instanceof EmailInUseError) return false;
      throw error;
    }
  }

  /**
   * The appeal cannot be applied as approved and never will be (the address is another
   * account's): it ends `rejected`, reason `email_in_use`, and the person is told why and what
   * to do, instead of the job retrying for ever.
   */
  private async rejectEmailInUse(manager: EntityManager, appeal: Appeal): Promise<void> {
    const body = EMAIL_IN_USE_MESSAGE[appeal.locale] ?? EMAIL_IN_USE_MESSAGE.en;
    const message = await this.repository.addMessage(manager, appeal.id, 'agent', body);
    await this.transitions.byParty(manager, appeal, 'system', 'reject', {
      actor: { type: 'system' },
      patch: { rejectionReason: 'email_in_use' },
      data: { reason: 'email_in_use', messageId: message.id },
    });
    await this.notices.toContact(manager, appeal, 'appeal-rejected', { message: message.body });
  }

  /** `appeal-applied` to the logon email and secure phone the account had before the change, in the account's locale. */
  private async tellFormerContacts(
    manager: EntityManager,
    before: Account,
    variables: { maskedUid: string; at: string; changes: string[]; securePhoneRemoved: boolean },
  ): Promise<void> {
    const contacts = [
      { channel: 'email' as const, to: before.logonEmail },
      ...(before.securePhone ? [{ channel: 'sms' as const, to: before.securePhone }] : []),
    ];
    for (const contact of contacts) {
      await this.notifications.notify(manager, {
        template: 'appeal-applied',
        channel: contact.channel,
        to: contact.to,
        locale: before.locale,
        variables,
        accountUid: before.uid,
      });
    }
  }

  /** Applies every scheduled appeal past its cooling-off (their jobs may be lost with Redis). Returns how many it applied. */
  async applyDue(): Promise<number> {
    const due: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM appeals WHERE status = 'scheduled' AND scheduled_for <= $1 AND objection_recorded_at IS NULL ORDER BY scheduled_for LIMIT $2`,
      [this.clock.now(), SWEEP_BATCH],
    );
    let applied = 0;
    for (const { id } of due) {
      try {
        if ((await this.apply(id)) === 'applied') applied += 1;
      } catch (error) {
        // One appeal that cannot be applied (its new email taken meanwhile) must not hold up the others.
        this.logger.error({ err: error, appealId: id }, 'applying a due appeal failed');
      }
    }
    return applied;
  }
}
