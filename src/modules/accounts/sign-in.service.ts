import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PasswordHasher } from '../../common/crypto/password-hasher';
import { maskEmail } from '../../common/masking';
import { AuditService, ChangeContext } from '../audit/audit.service';
import { AccountFrozenError, InvalidCredentialsError } from './accounts.errors';
import { AccountsService } from './accounts.service';
import { DevicesService } from './devices.service';
import { Account } from './entities/account.entity';
import { LoginThrottle } from './login-throttle.service';
import { ParsedLogin, parseLogin } from './login';
import { Principal, auditActorOf } from './principal';
import { IssuedSession, SessionsService } from './sessions.service';

export interface SignInAttempt {
  readonly login: string;
  readonly password: string;
  readonly ip: string;
  readonly userAgent?: string;
  /** From `X-Device-Id` or the `ac_device` cookie; absent means an unknown device. */
  readonly deviceId?: string;
}

/** Whose password a login names. */
interface Candidate {
  readonly account: Account;
  readonly passwordHash: string;
  readonly principal: Principal;
}

/**
 * Password sign-in for root accounts (logon email) and RAM users (`<loginName>@<uid>`). Unknown
 * logins and wrong passwords take the same path and the same time, and are throttled alike.
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
  ) {}

  async signIn(attempt: SignInAttempt): Promise<IssuedSession> {
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

    const device = principal.type === 'root' ? this.devices.fingerprint(attempt.deviceId, attempt.ip) : undefined;
    const trusted = await this.devices.isTrusted(account.uid, device);
    // Seam of the secondary check (seed 000): a root sign-in from a device + network that is not
    // trusted will answer 202 with a challenge here (SMS, else TOTP, else email), and the session
    // will be issued when its code is verified. Until that lands the device passes as if it had
    // answered the challenge, so a later sign-in from it counts as one from a known device.
    const issued = await this.dataSource.transaction(async (manager) => {
      const session = await this.sessions.create(manager, principal, { ip: attempt.ip, userAgent: attempt.userAgent });
      if (device) await this.devices.recordSignIn(manager, account.uid, device, deviceLabel(attempt.userAgent), !trusted);
      await this.audit.record(manager, {
        action: 'sign_in.succeeded',
        actor: auditActorOf(principal),
        subject: { type: 'account', id: account.uid },
        data: { sessionId: session.sessionId, principalType: principal.type, knownDevice: trusted },
        ip: attempt.ip,
      });
      return session;
    });
    if (permit.loginHasFailures) await this.throttle.recordSuccess(login.key);
    return issued;
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

  /** Counts the failure, and records it (and a lockout it starts) in the audit log. */
  private async fail(login: ParsedLogin, candidate: Candidate | undefined, ip: string): Promise<void> {
    const lockout = await this.throttle.recordFailure(login.key, ip);
    const subject = candidate ? { type: 'account', id: candidate.account.uid } : undefined;
    // An unknown login may be a password typed into the wrong field: keep only a masked form.
    const data = candidate ? { reason: 'wrong_password', principalType: candidate.principal.type } : { reason: 'unknown_login', login: maskEmail(login.key) };
    await this.dataSource.transaction(async (manager) => {
      await this.audit.record(manager, { action: 'sign_in.failed', actor: { type: 'public' }, subject, data, ip });
      if (lockout > 0) {
        await this.audit.record(manager, { action: 'sign_in.throttled', actor: { type: 'system' }, subject, data: { lockoutSeconds: lockout / 1000 }, ip });
      }
    });
  }
}

function deviceLabel(userAgent: string | undefined): string {
  return userAgent?.trim() || 'Unknown device';
}
