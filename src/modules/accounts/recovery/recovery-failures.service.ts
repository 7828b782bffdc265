import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../../common/clock';
import { RateLimitedError } from '../../../common/errors/domain-error';
import { bucket, Limiter } from '../../../infrastructure/limits/limiter';
import { LIMITS } from '../../../infrastructure/limits/limits';
import { AuditService } from '../../audit/audit.service';
import { HoldBack } from '../../challenges/challenge-limits';
import { NotificationsService } from '../../notifications/notifications.service';
import { Account } from '../entities/account.entity';
import { recoveryFailureBuckets } from './recovery-limits';

function heldBack(waitMs: number): RateLimitedError {
  return new RateLimitedError(Math.ceil(waitMs / 1000), 'Too many wrong codes were typed for this recovery. Try again later.');
}

/**
 * Wrong codes in a password recovery, which anyone who knows a login can start. They count in
 * buckets of their own, per login as typed and per address, that hold back new recoveries only
 * (429 RATE_LIMITED, alike for logins with and without an account): the owner's sign-in and
 * verification never see them, so nobody can lock an owner out by failing recoveries of their
 * login. The owner is told (`recovery-failures`, once an hour at most), decoys included.
 */
@Injectable()
export class RecoveryFailures {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly limiter: Limiter,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * 429 RATE_LIMITED (with Retry-After) while the login's or the address's failures hold new
   * recoveries back: the locks a recovery's send checks in the same Redis round trip as its allowances.
   */
  holdBack(loginHash: string, ip: string): HoldBack {
    return { locks: recoveryFailureBuckets(loginHash, ip), refusal: heldBack };
  }

  /** Counts a wrong code; tells the account's owner when the login is an account's. */
  async count(loginHash: string, ip: string, account?: Account): Promise<void> {
    await this.limiter.hit(recoveryFailureBuckets(loginHash, ip));
    if (account) await this.tellOwner(account, ip);
  }

  /**
   * A completed recovery ends the wrong codes' count of its login (its owner typed the right code);
   * the address's count stays, as the sign-in throttle keeps an address's.
   */
  async clearLogin(loginHash: string): Promise<void> {
    await this.limiter.clear([recoveryFailureBuckets(loginHash, '')[0]]);
  }

  /** Counts a code typed for a recovery that never existed against the address. */
  async countUnknown(ip: string): Promise<void> {
    await this.limiter.hit([recoveryFailureBuckets('', ip)[1]]);
  }

  private async tellOwner(account: Account, ip: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // In the transaction: if it rolls back, the hour's notice is still owed.
      if (!(await this.limiter.take([bucket(LIMITS.recoveryFailuresNotice, account.uid)], { manager })).taken) return;
      await this.notifications.notify(manager, {
        template: 'recovery-failures',
        channel: 'email',
        to: account.logonEmail,
        locale: account.locale,
        timeZone: account.timeZone,
        variables: { uid: account.uid, at: this.clock.now().toISOString(), ip },
        accountUid: account.uid,
      });
      await this.audit.record(manager, {
        action: 'recovery.failures_notified',
        actor: { type: 'system' },
        subject: { type: 'account', id: account.uid },
        data: {},
        ip,
      });
    });
  }
}
