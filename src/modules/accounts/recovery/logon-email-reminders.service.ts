import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { answerNoSoonerThan } from '../../../common/answer-floor';
import { maskEmail, maskPhone } from '../../../common/masking';
import { AuditService } from '../../audit/audit.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { ChallengeLimits } from '../../challenges/challenge-limits';
import { AccountsService } from '../accounts.service';
import { logonEmailReminderBuckets, RECOVERY_ANSWER_FLOOR_MS } from './recovery-limits';

/**
 * Forgotten logon email: every account whose secure phone this is gets an SMS with its masked
 * logon email and its UID, sent to that phone only. The caller learns nothing: the answer,
 * and the allowances it counts against, are the same whether no account, one or several match.
 */
@Injectable()
export class LogonEmailRemindersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly limits: ChallengeLimits,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  /** `securePhone` in E.164; 429 RATE_LIMITED beyond the allowances per phone and per IP. */
  remind(securePhone: string, ip: string): Promise<void> {
    return answerNoSoonerThan(RECOVERY_ANSWER_FLOOR_MS, () => this.send(securePhone, ip));
  }

  private async send(securePhone: string, ip: string): Promise<void> {
    const { refund } = await this.limits.takeSend(logonEmailReminderBuckets(securePhone, ip));
    try {
      await this.remindEach(securePhone, ip);
    } catch (error) {
      // Nothing was sent: the allowance is given back (a database outage must not use it up).
      await refund().catch(() => undefined);
      throw error;
    }
  }

  private async remindEach(securePhone: string, ip: string): Promise<void> {
    const accounts = await this.accounts.findBySecurePhone(securePhone);
    const phone = maskPhone(securePhone);
    await this.dataSource.transaction(async (manager) => {
      for (const account of accounts) {
        await this.notifications.notify(manager, {
          template: 'logon-email-reminder',
          channel: 'sms',
          to: securePhone,
          locale: account.locale,
          variables: { maskedEmail: maskEmail(account.logonEmail), uid: account.uid },
          accountUid: account.uid,
        });
        await this.audit.record(manager, {
          action: 'recovery.logon_email_reminded',
          actor: { type: 'public' },
          subject: { type: 'account', id: account.uid },
          data: { phone },
          ip,
        });
      }
      if (!accounts.length)
        await this.audit.record(manager, {
          action: 'recovery.logon_email_reminded',
          actor: { type: 'public' },
          data: { phone, accounts: 0 },
          ip,
        });
    });
  }
}
