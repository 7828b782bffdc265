import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isE164Phone } from '../../common/contacts';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { maskEmail, maskPhone } from '../../common/masking';
import { AccountFreezeService } from '../accounts/account-freeze.service';
import { AccountsService } from '../accounts/accounts.service';
import { DevicesService } from '../accounts/devices.service';
import { Account, AccountStatus } from '../accounts/entities/account.entity';
import { SessionsService } from '../accounts/sessions.service';
import { AuditAction } from '../audit/audit-actions';
import { AuditService, ChangeContext } from '../audit/audit.service';
import { AuditEvent } from '../audit/entities/audit-event.entity';
import { AccountStatusTransitionError } from './account-support.errors';

/** An account as a lookup lists it: contacts masked. */
export interface AccountSummary {
  readonly uid: string;
  readonly displayName: string | null;
  readonly logonEmail: string;
  readonly securePhone: string | null;
  readonly status: AccountStatus;
}

export interface AccountDetail extends AccountSummary {
  readonly totpEnabled: boolean;
  readonly locale: string;
  readonly passwordChangedAt: Date;
  readonly createdAt: Date;
  readonly ramUsers: readonly { readonly login: string; readonly createdAt: Date }[];
  readonly sessions: readonly {
    readonly id: string;
    readonly principal: string;
    readonly createdAt: Date;
    readonly lastSeenAt: Date;
    readonly ip: string | null;
    readonly userAgent: string | null;
  }[];
  readonly devices: readonly { readonly label: string; readonly network: string; readonly lastUsedAt: Date; readonly trustedUntil: Date }[];
  /** The latest events of the audit log about this account, newest first. */
  readonly events: readonly AuditEvent[];
}

export const REVEALABLE_FIELDS = ['logonEmail', 'securePhone'] as const;
export type RevealableField = (typeof REVEALABLE_FIELDS)[number];

const REASON_MAX = 500;
const RECENT_EVENTS = 25;

/**
 * What support does with an account from the back-office: find it, look at it (contacts masked;
 * revealing one is audited), end its sessions, freeze and unfreeze it. Every change carries the
 * agent's reason into the audit log, in the change's transaction.
 */
@Injectable()
export class AccountSupportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly devices: DevicesService,
    private readonly audit: AuditService,
    private readonly freezing: AccountFreezeService,
  ) {}

  /** Accounts matching a UID (16 digits), a logon email (case-insensitive) or a secure phone (E.164). */
  async lookup(query: string): Promise<AccountSummary[]> {
    const q = query.trim();
    if (/^\d{16}$/.test(q)) {
      const account = await this.accounts.get(q).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      return account ? [summaryOf(account)] : [];
    }
    if (q.includes('@')) {
      const account = await this.accounts.findByLogonEmail(q);
      return account ? [summaryOf(account)] : [];
    }
    const phone = q.replace(/[\s()-]/g, '');
    if (isE164Phone(phone)) return (await this.accounts.findBySecurePhone(phone)).map(summaryOf);
    throw new ValidationFailedError([
      { field: 'q', message: 'Enter a 16-digit UID, an email address, or a phone number in E.164 format such as +8613812345678.' },
    ]);
  }

  async detail(uid: string): Promise<AccountDetail> {
    const account = await this.accounts.get(uid);
    const [ramUsers, sessions, devices, events] = await Promise.all([
      this.accounts.listRamUsers(uid),
      this.sessions.listForAccount(uid),
      this.devices.list(uid),
      this.audit.list({ subject: { type: 'account', id: uid }, limit: RECENT_EVENTS }),
    ]);
    return {
      ...summaryOf(account),
      totpEnabled: account.totpSecret !== null,
      locale: account.locale,
      passwordChangedAt: account.passwordChangedAt,
      createdAt: account.createdAt,
      ramUsers: ramUsers.map((ramUser) => ({ login: `${ramUser.loginName}@${uid}`, createdAt: ramUser.createdAt })),
      sessions: sessions.map((session) => ({
        id: session.id,
        principal: session.principal.type === 'root' ? 'root' : `${session.principal.type}: ${session.principal.name}`,
        createdAt: session.createdAt,
        lastSeenAt: session.lastSeenAt,
        ip: session.ip,
        userAgent: session.userAgent,
      })),
      devices: devices.map((device) => ({
        label: device.label,
        network: device.network,
        lastUsedAt: device.lastUsedAt,
        trustedUntil: device.trustedUntil,
      })),
      events: events.events,
    };
  }

  /** The unmasked contact, for an agent who needs it; the read itself is audited. */
  async reveal(uid: string, field: RevealableField, context: ChangeContext): Promise<string | null> {
    return this.dataSource.transaction(async (manager) => {
      const account = await this.accounts.get(uid, manager);
      await this.audit.record(manager, {
        action: 'account.contact_revealed',
        actor: context.actor,
        subject: { type: 'account', id: uid },
        data: { field },
        ip: context.ip,
      });
      return account[field];
    });
  }

  /** Signs every session of the account out; returns how many. */
  async revokeSessions(uid: string, reason: string, context: ChangeContext): Promise<number> {
    const why = assertReason(reason);
    return this.dataSource.transaction(async (manager) => {
      await this.accounts.lock(manager, uid);
      const revoked = await this.sessions.revokeForAccount(manager, uid, 'agent');
      await this.record(manager, 'account.sessions_revoked', uid, { reason: why, revokedSessions: revoked }, context);
      return revoked;
    });
  }

  /**
   * Freezes the account (sign-in and self-service changes refused until an appeal or a
   * supervisor unfreezes it), signs every session out, and tells the owner at the logon email
   * (`account-frozen`, reason `support`): a frozen account with no word would look broken, and
   * if someone else froze it through support, the owner learns it at once.
   */
  async freeze(uid: string, reason: string, context: ChangeContext): Promise<number> {
    const note = assertReason(reason);
    return this.dataSource.transaction(async (manager) => {
      // In the freeze's lock order (challenges, then the account): a code confirmed meanwhile cannot deadlock with it.
      const account = await this.freezing.lockAccount(manager, uid);
      if (account.status === 'frozen') throw new AccountStatusTransitionError('This account is frozen already.');
      const { revokedSessions } = await this.freezing.freeze(manager, uid, { reason: 'support', note, context });
      return revokedSessions;
    });
  }

  async unfreeze(uid: string, reason: string, context: ChangeContext): Promise<void> {
    const why = assertReason(reason);
    await this.dataSource.transaction(async (manager) => {
      const account = await this.accounts.lock(manager, uid);
      if (account.status !== 'frozen') throw new AccountStatusTransitionError('This account is not frozen.');
      await this.accounts.setStatus(manager, uid, 'active');
      await this.record(manager, 'account.unfrozen', uid, { reason: why }, context);
    });
  }

  private record(
    manager: EntityManager,
    action: AuditAction,
    uid: string,
    data: Record<string, unknown>,
    context: ChangeContext,
  ): Promise<void> {
    return this.audit.record(manager, { action, actor: context.actor, subject: { type: 'account', id: uid }, data, ip: context.ip });
  }
}

function summaryOf(account: Account): AccountSummary {
  return {
    uid: account.uid,
    displayName: account.displayName,
    logonEmail: maskEmail(account.logonEmail),
    securePhone: account.securePhone === null ? null : maskPhone(account.securePhone),
    status: account.status,
  };
}

/** The trimmed reason; ValidationFailedError on `reason` when it is empty or too long. */
function assertReason(reason: string | undefined): string {
  const trimmed = reason?.trim() ?? '';
  if (!trimmed) throw new ValidationFailedError([{ field: 'reason', message: 'Give a reason: it goes into the audit log.' }]);
  if (trimmed.length > REASON_MAX)
    throw new ValidationFailedError([{ field: 'reason', message: `Keep the reason under ${REASON_MAX} characters.` }]);
  return trimmed;
}
