import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { AuditService, ChangeContext } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { CodeChallengesService } from '../challenges/code-challenges.service';
import { AccountsService } from './accounts.service';
import { Account } from './entities/account.entity';
import { DevicesService } from './devices.service';
import { RevocationReason, SessionsService } from './sessions.service';

/** Why an account is frozen, as the `account-frozen` notice says it. */
export type FreezeReason = 'security_revert' | 'support';

export interface FreezeRequest {
  readonly reason: FreezeReason;
  /** Also forget every trusted device (a revert does; the next sign-in then asks for a second factor). */
  readonly forgetDevices?: boolean;
  /** Addresses told besides the logon email (the one a revert just replaced). */
  readonly alsoNotify?: readonly string[];
  /** Why, in the words of whoever froze it (an agent's reason), kept in the audit log. */
  readonly note?: string;
  readonly context: ChangeContext;
}

export interface FreezeOutcome {
  readonly revokedSessions: number;
  readonly forgottenDevices: number;
}

/**
 * Freezes an account: sign-in (after a correct password) and every change answer 423 until an
 * approved appeal or a supervisor unfreezes it.
 */
@Injectable()
export class AccountFreezeService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly devices: DevicesService,
    private readonly challenges: CodeChallengesService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Locks what a freeze changes in the one order every transaction takes: the account's open
   * challenges first (they are cancelled: a frozen account keeps none), then the account's row.
   * A code confirmation locks its challenge and then, applying the change, the account; a
   * freeze that took the account first and then waited for a challenge would deadlock with it.
   * Callers that check the account before freezing it lock it through here.
   */
  async lockAccount(manager: EntityManager, uid: string): Promise<Account> {
    await this.challenges.cancelOpen(manager, uid);
    return this.accounts.lock(manager, uid);
  }

  /**
   * Through the caller's transaction: open challenges and pending changes cancelled (before the
   * account is locked: see `lockAccount`), the status, every session of the account (all principals)
   * revoked, trusted devices forgotten if asked,
   * the `account-frozen` notice, and the audit event, recorded last. Call it as the last step of
   * the caller's change.
   */
  async freeze(manager: EntityManager, uid: string, request: FreezeRequest): Promise<FreezeOutcome> {
    const account = await this.lockAccount(manager, uid);
    await this.accounts.setStatus(manager, uid, 'frozen');
    const revocation: RevocationReason = request.reason === 'security_revert' ? 'security_revert' : 'account_frozen';
    const revokedSessions = await this.sessions.revokeForAccount(manager, uid, revocation);
    const forgottenDevices = request.forgetDevices ? await this.devices.forgetAll(manager, uid) : 0;

    const variables = { uid, at: this.clock.now().toISOString(), reason: request.reason };
    const recipients = new Map([account.logonEmail, ...(request.alsoNotify ?? [])].map((address) => [address.toLowerCase(), address]));
    for (const to of recipients.values()) {
      await this.notifications.notify(manager, {
        template: 'account-frozen',
        channel: 'email',
        to,
        locale: account.locale,
        timeZone: account.timeZone,
        variables,
        accountUid: uid,
      });
    }
    await this.audit.record(manager, {
      action: 'account.frozen',
      actor: request.context.actor,
      subject: { type: 'account', id: uid },
      data: { reason: request.reason, ...(request.note ? { note: request.note } : {}), revokedSessions, forgottenDevices },
      ip: request.context.ip,
    });
    return { revokedSessions, forgottenDevices };
  }
}
