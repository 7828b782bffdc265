import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { PasswordHasher } from '../../common/crypto/password-hasher';
import { maskEmail, maskPhone } from '../../common/masking';
import { inOneRoundTrip } from '../../database/one-round-trip';
import { AuditService, ChangeContext } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { ChallengeScope, CodeChallengesService } from '../verification/challenges/code-challenges.service';
import { ChallengeMethod, CodeChallenge } from '../verification/challenges/entities/code-challenge.entity';
import { AccountFrozenError, InvalidCredentialsError } from './accounts.errors';
import { AccountsService, assertNotFrozen } from './accounts.service';
import { DeviceFingerprint, DevicesService } from './devices.service';
import { Account } from './entities/account.entity';
import { LoginThrottle } from './login-throttle.service';
import { ParsedLogin, parseLogin } from './login';
import { networkOf } from './network';
import { Principal, auditActorOf } from './principal';
import { IssuedSession, SessionsService } from './sessions.service';
import { TotpService } from './totp.service';

export interface SignInAttempt {
  readonly login: string;
  readonly password: string;
  readonly ip: string;
  readonly userAgent?: string;
  /** From `X-Device-Id` or the `ac_device` cookie; absent means an unknown device. */
  readonly deviceId?: string;
}

/** The code that completes a sign-in answered with 202, from the client that started it. */
export interface SecondaryAttempt {
  readonly challengeId: string;
  readonly code: string;
  readonly ip: string;
  readonly userAgent?: string;
  readonly deviceId?: string;
}

/** The 202 of a sign-in from an unfamiliar device or network, as api.md shapes it. */
export interface SecondaryChallenge {
  readonly status: 'secondary_auth_required';
  readonly challengeId: string;
  readonly method: ChallengeMethod;
  /** Where the code went, masked; null for TOTP (nothing is sent). */
  readonly maskedDestination: string | null;
  readonly expiresAt: Date;
  readonly resendAvailableAt?: Date;
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
 * root sign-in from an unfamiliar device or network is held back until a second factor answers.
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
    private readonly challenges: CodeChallengesService,
    private readonly totp: TotpService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks the password; a root sign-in from a device + network the account does not trust yet
   * then answers with a secondary challenge (seed 000) instead of a session.
   */
  async signIn(attempt: SignInAttempt): Promise<SignInOutcome> {
    const login = parseLogin(attempt.login);
    const permit = await this.throttle.assertAllowed(login.key, attempt.ip);

    const candidate = await this.findCandidate(login);
    // With no candidate the hasher still checks against a dummy hash: same work, same time.
    if (!(await this.hasher.verify(candidate?.passwordHash, attempt.password))) {
      await this.fail(login, candidate, attempt.ip);
      throw new InvalidCredentialsError();
    }
    const { account, principal } = candidate!;
    if (account.status === 'frozen') {
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, {
          action: 'sign_in.refused',
          actor: { type: 'public' },
          subject: { type: 'account', id: account.uid },
          data: { reason: 'account_frozen', principalType: principal.type },
          ip: attempt.ip,
        }),
      );
      throw new AccountFrozenError();
    }
    // The right password ends the guessing, whether or not a second factor follows.
    if (permit.loginHasFailures) await this.throttle.recordSuccess(login.key);

    const device = principal.type === 'root' ? this.devices.fingerprint(attempt.deviceId, attempt.ip) : undefined;
    if (principal.type === 'root' && !(await this.devices.isTrusted(account.uid, device))) return this.challenge(account, device, attempt);

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

  /**
   * Completes a sign-in that answered 202: the code of its challenge (or, for TOTP, a current
   * step or a recovery code) issues the session and makes the device + network trusted for 90
   * days. The challenge belongs to the pending sign-in: the same device id must come back.
   */
  async completeSecondary(request: SecondaryAttempt): Promise<IssuedSession> {
    const scope = this.secondaryScope(request);
    const account = await this.pendingAccount(request.challengeId, scope);
    return this.challenges.verify(request.challengeId, request.code, scope, {
      account,
      ip: request.ip,
      checkTotp: (code, manager) => this.totp.check(account, code, manager),
      onSuccess: async (manager, challenge) => {
        const current = await this.accounts.lock(manager, account.uid);
        assertNotFrozen(current);
        const principal: Principal = { type: 'root', uid: current.uid };
        const session = await this.sessions.create(manager, principal, { ip: request.ip, userAgent: request.userAgent });
        const pending = pendingSignInOf(challenge);
        if (pending.deviceIdHash) await this.devices.recordSignIn(manager, current.uid, { deviceIdHash: pending.deviceIdHash, network: pending.network }, pending.device, true);
        await this.notifications.notify(manager, {
          template: 'new-device-sign-in',
          channel: 'email',
          to: current.logonEmail,
          locale: current.locale,
          variables: { uid: current.uid, at: this.clock.now().toISOString(), ip: pending.ip, network: pending.network, device: pending.device },
          accountUid: current.uid,
        });
        await this.audit.record(manager, {
          action: 'sign_in.succeeded',
          actor: auditActorOf(principal),
          subject: { type: 'account', id: current.uid },
          data: { sessionId: session.sessionId, principalType: 'root', knownDevice: false, secondFactor: challenge.method, deviceTrusted: pending.deviceIdHash !== null },
          ip: request.ip,
        });
        return session;
      },
    });
  }

  /** A pending sign-in's challenge as its 202 described it (the sign-in page shows it again); 404 once it is gone. */
  async describeSecondary(request: Omit<SecondaryAttempt, 'code'>): Promise<SecondaryChallenge> {
    const challenge = await this.challenges.find(request.challengeId, this.secondaryScope(request));
    return secondaryView(challenge);
  }

  /** A new code for a pending sign-in's challenge (SMS or email), under the verification resend rules. */
  async resendSecondary(request: Omit<SecondaryAttempt, 'code'>): Promise<{ resendAvailableAt: Date | null; expiresAt: Date }> {
    const scope = this.secondaryScope(request);
    const account = await this.pendingAccount(request.challengeId, scope);
    const challenge = await this.challenges.resend(request.challengeId, scope, { account });
    return { resendAvailableAt: challenge.resendAvailableAt, expiresAt: challenge.expiresAt };
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
    return { account, passwordHash: ramUser.passwordHash, principal: { type: 'ram_user', uid: account.uid, name: ramUser.loginName, ramUserId: ramUser.id } };
  }

  /**
   * The secondary challenge of a root sign-in from an unfamiliar device or network: by SMS to the
   * secure phone, else TOTP, else by email to the logon email. It counts toward the account's
   * send limit like every code, and is refused while the account's verification is locked.
   */
  private async challenge(account: Account, device: DeviceFingerprint | undefined, attempt: SignInAttempt): Promise<SecondaryChallenge> {
    const method: ChallengeMethod = account.securePhone ? 'sms' : account.totpSecret ? 'totp' : 'email';
    const destination = method === 'sms' ? account.securePhone : method === 'email' ? account.logonEmail : null;
    const pending: PendingSignIn = {
      deviceIdHash: device?.deviceIdHash ?? null,
      network: device?.network ?? networkOf(attempt.ip),
      device: deviceLabel(attempt.userAgent),
      ip: attempt.ip,
    };
    const challenge = await this.challenges.issueAlone({
      kind: 'sign_in',
      method,
      account,
      destination,
      message: method === 'totp' ? undefined : { template: 'sign-in-code', locale: account.locale, variables: { ip: attempt.ip } },
      context: { ...pending },
      ip: attempt.ip,
    });
    return secondaryView(challenge);
  }

  /** Sign-in challenges have no session: the device id the sign-in came with is what binds them. */
  private secondaryScope(request: { ip: string; deviceId?: string }): ChallengeScope {
    return { kind: 'sign_in', context: { deviceIdHash: this.devices.fingerprint(request.deviceId, request.ip)?.deviceIdHash ?? null } };
  }

  /** The account a pending sign-in is for: 404 for an unknown challenge, 423 once the account is frozen. */
  private async pendingAccount(challengeId: string, scope: ChallengeScope): Promise<Account> {
    const pending = await this.challenges.find(challengeId, scope);
    const account = await this.accounts.get(pending.accountUid!);
    assertNotFrozen(account);
    return account;
  }

  /**
   * Counts the failure, and records it (and a lockout it starts) in the audit log. When the
   * lockout is a root login's own, its owner is told, once an hour at most; an unknown login
   * has nobody to tell.
   */
  private async fail(login: ParsedLogin, candidate: Candidate | undefined, ip: string): Promise<void> {
    const { lockoutMs, loginLockoutMs } = await this.throttle.recordFailure(login.key, ip);
    const subject = candidate ? { type: 'account', id: candidate.account.uid } : undefined;
    const owner = candidate?.principal.type === 'root' && loginLockoutMs > 0 && (await this.throttle.claimOwnerNotice(candidate.account.uid)) ? candidate.account : undefined;
    // An unknown login may be a password typed into the wrong field: keep only a masked form.
    const data = candidate ? { reason: 'wrong_password', principalType: candidate.principal.type } : { reason: 'unknown_login', login: maskEmail(login.key) };
    await this.dataSource.transaction(async (manager) => {
      if (owner) {
        await this.notifications.notify(manager, {
          template: 'sign-in-throttled',
          channel: 'email',
          to: owner.logonEmail,
          locale: owner.locale,
          variables: { uid: owner.uid, at: this.clock.now().toISOString(), ip, retryAfterMinutes: Math.ceil(loginLockoutMs / 60_000) },
          accountUid: owner.uid,
        });
      }
      await this.audit.record(manager, { action: 'sign_in.failed', actor: { type: 'public' }, subject, data, ip });
      if (lockoutMs > 0) {
        await this.audit.record(manager, { action: 'sign_in.throttled', actor: { type: 'system' }, subject, data: { lockoutSeconds: lockoutMs / 1000, ownerNotified: owner !== undefined }, ip });
      }
    });
  }
}

/** What a sign-in challenge keeps of the sign-in it holds back (its `context`). */
interface PendingSignIn {
  /** Null for a request without a device id: nothing becomes trusted. */
  readonly deviceIdHash: string | null;
  readonly network: string;
  readonly device: string;
  readonly ip: string;
}

function pendingSignInOf(challenge: CodeChallenge): PendingSignIn {
  const { deviceIdHash, network, device, ip } = challenge.context;
  return { deviceIdHash: typeof deviceIdHash === 'string' ? deviceIdHash : null, network: String(network), device: String(device), ip: String(ip) };
}

function secondaryView(challenge: CodeChallenge): SecondaryChallenge {
  const { method, destination } = challenge;
  return {
    status: 'secondary_auth_required',
    challengeId: challenge.id,
    method,
    maskedDestination: method === 'sms' ? maskPhone(destination!) : method === 'email' ? maskEmail(destination!) : null,
    expiresAt: challenge.expiresAt,
    ...(challenge.resendAvailableAt ? { resendAvailableAt: challenge.resendAvailableAt } : {}),
  };
}

function deviceLabel(userAgent: string | undefined): string {
  return userAgent?.trim() || 'Unknown device';
}
