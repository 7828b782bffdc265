import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { deviceLabel } from '../../common/device-label';
import { NotFoundError } from '../../common/errors/domain-error';
import { Locale } from '../../common/locales';
import { AuditService } from '../audit/audit.service';
import { AuditEvent } from '../audit/entities/audit-event.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { AccountsService } from './accounts.service';
import { DevicesService } from './devices.service';
import { networkOf } from './network';
import { AuthenticatedSession, auditActorOf } from './principal';
import { SessionsService } from './sessions.service';
import { isUuid } from '../../common/validation/is-uuid';

/** The kinds of security activity, as `GET /api/v1/account/activity` names them. */
export type ActivityType =
  | 'sign_in'
  | 'sign_in_failed'
  | 'secondary_sign_in'
  | 'passkey_sign_in'
  | 'password_changed'
  | 'password_recovered'
  | 'logon_email_changed'
  | 'secure_phone_changed'
  | 'totp_enabled'
  | 'totp_disabled'
  | 'passkey_added'
  | 'passkey_removed'
  | 'session_revoked'
  | 'security_reverted'
  | 'account_frozen'
  | 'account_unfrozen'
  | 'appeal_filed'
  | 'appeal_stopped'
  | 'account_secured';

/** Audit actions of the account (subject `account:<uid>`) that are security activity, and the type each is shown as. */
const ACTIVITY_TYPES: Readonly<Record<string, ActivityType | ((data: Record<string, unknown>) => ActivityType)>> = {
  'sign_in.succeeded': (data) =>
    data.method === 'passkey' || data.secondFactor === 'passkey' ? 'passkey_sign_in' : data.secondFactor ? 'secondary_sign_in' : 'sign_in',
  'sign_in.passkey': 'passkey_sign_in',
  'sign_in.failed': 'sign_in_failed',
  // The right password of a frozen account: refused all the same.
  'sign_in.refused': 'sign_in_failed',
  'account.password_changed': 'password_changed',
  'account.password_recovered': 'password_recovered',
  'account.password_reset': 'password_recovered',
  'account.logon_email_changed': 'logon_email_changed',
  'account.secure_phone_changed': 'secure_phone_changed',
  'account.totp_enabled': 'totp_enabled',
  'account.totp_disabled': 'totp_disabled',
  'account.passkey_added': 'passkey_added',
  'passkey.added': 'passkey_added',
  'account.passkey_removed': 'passkey_removed',
  'passkey.removed': 'passkey_removed',
  'session.revoked': 'session_revoked',
  'account.change_reverted': 'security_reverted',
  'account.frozen': 'account_frozen',
  'account.unfrozen': 'account_unfrozen',
  'account.appeal_filed': 'appeal_filed',
  'account.appeal_stopped': 'appeal_stopped',
  'account.secured': 'account_secured',
};
export const ACTIVITY_ACTIONS: readonly string[] = Object.keys(ACTIVITY_TYPES);

/** How far back the activity goes, and a page of it. */
export const ACTIVITY_WINDOW_MS = 90 * 86_400_000;
export const ACTIVITY_PAGE_SIZE = 50;

export interface ActivityEventView {
  /** The audit event's id: what "this wasn't me" names. */
  readonly id: string;
  readonly type: ActivityType;
  readonly at: Date;
  readonly ip: string | null;
  /** IPv4 /24 or IPv6 /48, as device trust counts networks. */
  readonly network: string | null;
  readonly device?: { readonly label: string };
  /** The event of the session reading it (its sign-in, or a change it made). */
  readonly current?: true;
}

export interface ActivityPage {
  readonly events: ActivityEventView[];
  readonly next?: string;
}

/**
 * The owner's security activity, read from the audit log: the last 90 days of sign-ins, changes,
 * reverts, passkeys, revoked sessions, appeals filed and stopped, and freezes, newest first, 50 a
 * page by keyset (AuditService.activity on audit_events_subject_created_idx). "This wasn't me" on
 * any of them secures the account: every other session revoked, every trusted device forgotten,
 * `account-secured` by email and SMS; the page then leads to the password change.
 */
@Injectable()
export class SecurityActivityService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly devices: DevicesService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
  ) {}

  /** A page of the account's activity; root sessions only. Device labels in `locale`. */
  async list(session: AuthenticatedSession, before: string | undefined, locale: Locale): Promise<ActivityPage> {
    const account = await this.accounts.getChangeable(session);
    const page = await this.audit.activity({
      subject: { type: 'account', id: account.uid },
      actions: ACTIVITY_ACTIONS,
      since: new Date(this.clock.nowMs() - ACTIVITY_WINDOW_MS),
      before,
      limit: ACTIVITY_PAGE_SIZE,
    });
    const agents = await this.userAgents(account.uid, page.events);
    const events = page.events.map((event) => {
      const sessionId = typeof event.data.sessionId === 'string' ? event.data.sessionId : undefined;
      const userAgent = typeof event.data.userAgent === 'string' ? event.data.userAgent : sessionId ? agents.get(sessionId) : undefined;
      return {
        id: event.seq,
        type: typeOf(event),
        at: event.createdAt,
        ip: event.ip,
        network: event.ip ? networkOf(event.ip) : null,
        ...(userAgent !== undefined ? { device: { label: deviceLabel(userAgent, locale) } } : {}),
        ...(sessionId === session.sessionId ? { current: true as const } : {}),
      };
    });
    return page.next ? { events, next: page.next } : { events };
  }

  /**
   * "This wasn't me" on an event of the account (404 otherwise): every session of the account but
   * the caller's revoked, every trusted device forgotten, `account-secured` to the logon email and
   * the secure phone, in one transaction, audited as `account.secured`.
   */
  async notMe(session: AuthenticatedSession, eventId: string, ip?: string): Promise<{ revokedSessions: number; forgottenDevices: number }> {
    const account = await this.accounts.getChangeable(session);
    const event = await this.audit.event(eventId);
    if (!event || event.subjectType !== 'account' || event.subjectId !== account.uid || !(event.action in ACTIVITY_TYPES))
      throw new NotFoundError('There is no such event in your security activity.');
    return this.dataSource.transaction(async (manager) => {
      const current = await this.accounts.lock(manager, account.uid);
      const revokedSessions = await this.sessions.revokeForAccount(manager, current.uid, 'account_secured', {
        exceptSessionId: session.sessionId,
      });
      const forgottenDevices = await this.devices.forgetAll(manager, current.uid);
      const variables = { uid: current.uid, at: this.clock.now().toISOString(), ip: ip ?? 'unknown', revokedSessions, forgottenDevices };
      const notice = { template: 'account-secured' as const, locale: current.locale, variables, accountUid: current.uid };
      await this.notifications.notify(manager, { ...notice, channel: 'email', to: current.logonEmail });
      if (current.securePhone) await this.notifications.notify(manager, { ...notice, channel: 'sms', to: current.securePhone });
      await this.audit.record(manager, {
        action: 'account.secured',
        actor: auditActorOf(session.principal),
        subject: { type: 'account', id: current.uid },
        data: { eventId: event.seq, eventAction: event.action, sessionId: session.sessionId, revokedSessions, forgottenDevices },
        ip,
      });
      return { revokedSessions, forgottenDevices };
    });
  }

  /** The user agents of the sessions the page's events name (the sign-in events carry the session, not the browser). */
  private async userAgents(accountUid: string, events: readonly AuditEvent[]): Promise<Map<string, string | null>> {
    const ids = [...new Set(events.map((event) => event.data.sessionId).filter((id): id is string => isUuid(id)))];
    if (!ids.length) return new Map();
    const rows = (await this.dataSource.query(`SELECT id, user_agent FROM sessions WHERE account_uid = $1 AND id = ANY($2::uuid[])`, [
      accountUid,
      ids,
    ])) as { id: string; user_agent: string | null }[];
    return new Map(rows.map((row) => [row.id, row.user_agent]));
  }
}

function typeOf(event: AuditEvent): ActivityType {
  const type = ACTIVITY_TYPES[event.action];
  return typeof type === 'function' ? type(event.data) : type;
}
