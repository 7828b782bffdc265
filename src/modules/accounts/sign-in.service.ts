import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { PasswordHasher } from '../../common/crypto/password-hasher';
import { maskEmail } from '../../common/masking';
import { inOneRoundTrip } from '../../database/one-round-trip';
import { AuditService, ChangeContext } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { AccountFrozenError, InvalidCredentialsError, LoginThrottledError } from './accounts.errors';
import { AccountsService } from './accounts.service';
import { deviceLabel, DevicesService } from './devices.service';
import { Account } from './entities/account.entity';
import { LoginThrottle } from './login-throttle.service';
import { ParsedLogin, parseLogin } from './login';
import { Principal, auditActorOf } from './principal';
import { SecondaryChallenge, SecondarySignInService } from './secondary-sign-in.service';
import { IssuedSession, SessionsService } from './sessions.service';

export interface SignInAttempt {
  readonly login: string;
  readonly password: string;
  readonly ip: string;
  readonly userAgent?: string;
  /** From `X-Device-Id` or the `ac_device` cookie; absent means an unknown device. */
  readonly deviceId?: string;
}

export type SignInOutcome = { readonly status: 'signed_in'; readonly session: IssuedSession } | SecondaryChallenge;

/** Whose password a login names. */
interface Candidate {
  readonly account: Account;
  readonly passwordHash: string;
  readonly principal: Principal;
}

/**
 * Password sign-in for root accounts (logon email) and RAM users (`<loginName>@<uid>`). Unknown
 * logins and wrong passwords take the same path and the same time, and are throttled alike. A
 * root sign-in from an unfamiliar device or network is held back until a second factor answers
 * (SecondarySignInService).
 */
@Injectable()
export class SignInService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly devices: DevicesService,
    private readonly throttle: LoginThrottle,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly secondary: SecondarySignInService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks the password; a root sign-in from a device + network the account does not trust yet
   * then answers with a secondary challenge (SecondarySignInService) instead of a session.
   */
  async signIn(attempt: SignInAttempt): Promise<SignInOutcome> {
    const login = parseLogin(attempt.login);
    const throttle = await this.throttle.state(login.key, attempt.ip);
    if (throttle.addressLockedMs > 0) throw new LoginThrottledError(Math.ceil(throttle.addressLockedMs / 1000));

    const candidate = await this.findCandidate(login);
    // With no candidate the hasher still checks against a dummy hash: same work, same time.
    const passwordRight = await this.hasher.verify(candidate?.passwordHash, attempt.password);
    if (throttle.loginLockedMs > 0 && !(await this.passesLoginLockout(candidate, passwordRight, attempt))) {
      throw new LoginThrottledError(Math.ceil(throttle.loginLockedMs / 1000));
    }
    if (!passwordRight) {
      await this.fail(login, candidate, attempt.ip, attempt.userAgent);
      throw new InvalidCredentialsError();
    }
    const { account, principal } = candidate!;
    if (account.status === 'frozen')
      await refuseFrozen(this.dataSource, this.audit, account, { principalType: principal.type }, attempt.ip);
    // The right password ends the guessing, whether or not a second factor follows.
    if (throttle.loginHasFailures || throttle.loginLockedMs > 0) await this.throttle.recordSuccess(login.key);

    const device = principal.type === 'root' ? this.devices.fingerprint(attempt.deviceId, attempt.ip) : undefined;
    if (principal.type === 'root' && !(await this.devices.isTrusted(account.uid, device)))
      return this.secondary.hold(account, device, attempt);

    // The session, the device's last use and the audit event: writes only, so one round trip.
    const session = await inOneRoundTrip(this.dataSource, async (manager) => {
      const session = await this.sessions.create(manager, principal, { ip: attempt.ip, userAgent: attempt.userAgent });
      if (device) await this.devices.recordSignIn(manager, account.uid, device, deviceLabel(attempt.userAgent), false);
      await this.audit.record(manager, {
        action: 'sign_in.succeeded',
        actor: auditActorOf(principal),
        subject: { type: 'account', id: account.uid },
        data: { sessionId: session.sessionId, principalType: principal.type, knownDevice: device !== undefined },
        ip: attempt.ip,
      });
      return session;
    });
    return { status: 'signed_in', session };
  }

  /** A session for a RAM role or an SSO user of the account, as an STS or SSO gateway mints it (admin API). */
  async mintSession(uid: string, federated: { type: 'ram_role' | 'sso'; name: string }, context: ChangeContext): Promise<IssuedSession> {
    return this.dataSource.transaction(async (manager) => {
      const account = await this.accounts.get(uid, manager);
      if (account.status === 'frozen') throw new AccountFrozenError();
      const session = await this.sessions.create(manager, { type: federated.type, uid, name: federated.name });
      await this.audit.record(manager, {
        action: 'session.minted',
        actor: context.actor,
        subject: { type: 'account', id: uid },
        data: { sessionId: session.sessionId, principalType: federated.type, name: federated.name },
        ip: context.ip,
      });
      return session;
    });
  }

  private async findCandidate(login: ParsedLogin): Promise<Candidate | undefined> {
    if (login.kind === 'email') {
      const account = await this.accounts.findByLogonEmail(login.email);
      return account ? { account, passwordHash: account.passwordHash, principal: { type: 'root', uid: account.uid } } : undefined;
    }
    const ramUser = await this.accounts.findRamUser(login.uid, login.loginName);
    if (!ramUser) return undefined;
    const { account } = ramUser;
    return {
      account,
      passwordHash: ramUser.passwordHash,
      principal: { type: 'ram_user', uid: account.uid, name: ramUser.loginName, ramUserId: ramUser.id },
    };
  }

  /**
   * While a login is locked out, only the right password of a root account from a device and
   * network trusted for that account gets through (the owner is not kept out by someone else's
   * guesses). The trust lookup runs for every attempt, right password or not, known login or
   * not, so the time of the 429 says nothing about the password.
   */
  private async passesLoginLockout(candidate: Candidate | undefined, passwordRight: boolean, attempt: SignInAttempt): Promise<boolean> {
    const device = this.devices.fingerprint(attempt.deviceId, attempt.ip);
    const trusted = await this.devices.isTrusted(candidate?.account.uid ?? NO_ACCOUNT_UID, device);
    return passwordRight && trusted && candidate?.principal.type === 'root';
  }

  /**
   * Counts the failure, and records it (and a lockout it starts) in the audit log. When the
   * lockout is a root login's own, its owner is told, once an hour at most; an unknown login
   * has nobody to tell.
   */
  private async fail(login: ParsedLogin, candidate: Candidate | undefined, ip: string, userAgent?: string): Promise<void> {
    const { lockoutMs, loginLockoutMs } = await this.throttle.recordFailure(login.key, ip);
    const subject = candidate ? { type: 'account', id: candidate.account.uid } : undefined;
    // An unknown login may be a password typed into the wrong field: keep only a masked form.
    // The user agent names the device in the owner's security activity.
    const data = {
      ...(candidate
        ? { reason: 'wrong_password', principalType: candidate.principal.type }
        : { reason: 'unknown_login', login: maskEmail(login.key) }),
      userAgent: userAgent?.slice(0, 300),
    };
    await this.dataSource.transaction(async (manager) => {
      // In the transaction: if it rolls back, the hour's notice is still owed.
      const owner =
        candidate?.principal.type === 'root' && loginLockoutMs > 0 && (await this.throttle.claimOwnerNotice(candidate.account.uid, manager))
          ? candidate.account
          : undefined;
      if (owner) {
        await this.notifications.notify(manager, {
          template: 'sign-in-throttled',
          channel: 'email',
          to: owner.logonEmail,
          locale: owner.locale,
          timeZone: owner.timeZone,
          variables: { uid: owner.uid, at: this.clock.now().toISOString(), ip, retryAfterMinutes: Math.ceil(loginLockoutMs / 60_000) },
          accountUid: owner.uid,
        });
      }
      await this.audit.record(manager, { action: 'sign_in.failed', actor: { type: 'public' }, subject, data, ip });
      if (lockoutMs > 0) {
        await this.audit.record(manager, {
          action: 'sign_in.throttled',
          actor: { type: 'system' },
          subject,
          data: { lockoutSeconds: lockoutMs / 1000, ownerNotified: owner !== undefined },
          ip,
        });
      }
    });
  }
}

/** A UID no account has (UIDs never start with 0): the trust lookup of an unknown login finds nothing, in the same time. */
const NO_ACCOUNT_UID = '0000000000000000';

/** A frozen account's sign-in, whatever the method: audited as `sign_in.refused`, then 423 ACCOUNT_FROZEN. */
export async function refuseFrozen(
  dataSource: DataSource,
  audit: AuditService,
  account: Pick<Account, 'uid'>,
  data: { principalType: string; method?: string },
  ip: string,
): Promise<never> {
  await dataSource.transaction((manager) =>
    audit.record(manager, {
      action: 'sign_in.refused',
      actor: { type: 'public' },
      subject: { type: 'account', id: account.uid },
      data: { reason: 'account_frozen', ...data },
      ip,
    }),
  );
  throw new AccountFrozenError();
}
