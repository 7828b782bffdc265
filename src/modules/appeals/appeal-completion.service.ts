import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { AccountsService } from '../accounts/accounts.service';
import { TotpService } from '../accounts/totp.service';
import { DevicesService } from '../accounts/devices.service';
import { SessionsService } from '../accounts/sessions.service';
import { AuditService } from '../audit/audit.service';
import { AppealNotices } from './appeal-notices';
import { AppealTransitions } from './appeal-transitions';
import { decidePartyAction } from './appeal-workflow';
import { AppealsRepository } from './appeals.repository';
import { PasswordResetsService } from './password-resets.service';
import { changeKeys } from './requested-changes';

/** `applied`: this run made the change; `not_scheduled`: nothing to do (done already, cancelled, objected); `not_due`: cooling-off not over. */
export type ApplyOutcome = 'applied' | 'not_scheduled' | 'not_due';

/** How many due appeals one sweep applies; the next run takes the rest. */
const SWEEP_BATCH = 200;

/**
 * Applies approved appeals once their cooling-off ends, each in one transaction: the new logon
 * email and secure phone (a secure phone the appeal did not replace is removed: nobody vouched
 * for it), TOTP removed if asked, a password-reset link to the contact if asked, every session
 * and trusted device revoked, the account unfrozen, the appeal completed. The appeal's row lock
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
    private readonly passwordResets: PasswordResetsService,
    private readonly notices: AppealNotices,
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
      decidePartyAction(appeal, 'system', 'complete');

      const uid = appeal.accountUid!;
      const before = await this.accounts.lock(manager, uid);
      const { changes } = appeal;
      if (changes.logonEmail) await this.accounts.setLogonEmail(manager, uid, changes.logonEmail);
      const securePhoneRemoved = !changes.securePhone && before.securePhone !== null;
      if (changes.securePhone || securePhoneRemoved) await this.accounts.setSecurePhone(manager, uid, changes.securePhone ?? null);
      // The secret and the recovery codes that stand in for it go together.
      if (changes.disableTotp) await this.totp.disable(manager, uid);
      const resetUrl = changes.resetPassword ? await this.passwordResets.issue(manager, uid, appeal.id) : null;
      const revokedSessions = await this.sessions.revokeForAccount(manager, uid, 'appeal_completed');
      const forgottenDevices = await this.devices.forgetAll(manager, uid);
      await this.accounts.setStatus(manager, uid, 'active');

      const from = appeal.status;
      await this.transitions.move(manager, appeal, 'completed', now);
      await this.notices.toContact(manager, appeal, 'appeal-completed', {
        uid,
        logonEmail: changes.logonEmail ?? before.logonEmail,
        changes: changeKeys(changes),
        securePhoneRemoved,
        resetUrl,
      });
      const applied = { changes: changeKeys(changes), securePhoneRemoved, revokedSessions, forgottenDevices, unfrozen: before.status === 'frozen' };
      await this.audit.record(manager, { action: 'account.recovered_by_appeal', actor: { type: 'system' }, subject: { type: 'account', id: uid }, data: { reference: appeal.reference, ...applied } });
      await this.audit.record(manager, { action: 'appeal.completed', actor: { type: 'system' }, subject: { type: 'appeal', id: appeal.reference }, data: { from, to: appeal.status, version: appeal.version, ...applied } });
      return 'applied';
    });
  }

  /** Applies every scheduled appeal past its cooling-off (their jobs may be lost with Redis). Returns how many it applied. */
  async applyDue(): Promise<number> {
    const due: { id: string }[] = await this.dataSource.query(`SELECT id FROM appeals WHERE status = 'scheduled' AND scheduled_for <= $1 ORDER BY scheduled_for LIMIT $2`, [
      this.clock.now(),
      SWEEP_BATCH,
    ]);
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
