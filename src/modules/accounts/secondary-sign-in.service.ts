import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { maskEmail, maskPhone } from '../../common/masking';
import { AuditService } from '../audit/audit.service';
import { ChallengeScope, CodeChallengesService } from '../challenges/code-challenges.service';
import { ChallengeMethod, CodeChallenge } from '../challenges/entities/code-challenge.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { AccountsService, assertNotFrozen } from './accounts.service';
import { DeviceFingerprint, deviceLabel, DevicesService } from './devices.service';
import { Account } from './entities/account.entity';
import { networkOf } from './network';
import { Principal, auditActorOf } from './principal';
import { IssuedSession, SessionsService } from './sessions.service';
import type { SignInAttempt } from './sign-in.service';
import { TotpService } from './totp.service';

/** The code that completes a sign-in answered with 202, from the client that started it. */
export interface SecondaryAttempt {
  readonly challengeId: string;
  readonly code: string;
  readonly ip: string;
  readonly userAgent?: string;
  readonly deviceId?: string;
}

/** The 202 of a sign-in from an unfamiliar device or network, as docs/api.md shapes it. */
export interface SecondaryChallenge {
  readonly status: 'secondary_auth_required';
  readonly challengeId: string;
  readonly method: ChallengeMethod;
  /** Where the code went, masked; null for TOTP (nothing is sent). */
  readonly maskedDestination: string | null;
  readonly expiresAt: Date;
  readonly resendAvailableAt?: Date;
}

/**
 * The second factor of a root sign-in from an unfamiliar device or network: the challenge that
 * holds the sign-in back, its description and resend, and the code that completes it with a
 * session and a trusted device.
 */
@Injectable()
export class SecondarySignInService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly devices: DevicesService,
    private readonly audit: AuditService,
    private readonly challenges: CodeChallengesService,
    private readonly totp: TotpService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
  ) {}

  /**
   * The secondary challenge of a root sign-in from an unfamiliar device or network: by SMS to the
   * secure phone, else TOTP, else by email to the logon email. It counts toward the account's
   * send limit like every code, and is refused while the account's verification is locked.
   */
  async hold(account: Account, device: DeviceFingerprint | undefined, attempt: SignInAttempt): Promise<SecondaryChallenge> {
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
   * Completes a sign-in that answered 202: the code of its challenge (or, for TOTP, a current
   * step or a recovery code) issues the session and makes the device + network trusted for 90
   * days. The challenge belongs to the pending sign-in: the same device id must come back.
   */
  async complete(request: SecondaryAttempt): Promise<IssuedSession> {
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
        if (pending.deviceIdHash)
          await this.devices.recordSignIn(
            manager,
            current.uid,
            { deviceIdHash: pending.deviceIdHash, network: pending.network },
            pending.device,
            true,
          );
        await this.notifications.notify(manager, {
          template: 'new-device-sign-in',
          channel: 'email',
          to: current.logonEmail,
          locale: current.locale,
          timeZone: current.timeZone,
          variables: {
            uid: current.uid,
            at: this.clock.now().toISOString(),
            ip: pending.ip,
            network: pending.network,
            device: pending.device,
          },
          accountUid: current.uid,
        });
        await this.audit.record(manager, {
          action: 'sign_in.succeeded',
          actor: auditActorOf(principal),
          subject: { type: 'account', id: current.uid },
          data: {
            sessionId: session.sessionId,
            principalType: 'root',
            knownDevice: false,
            secondFactor: challenge.method,
            deviceTrusted: pending.deviceIdHash !== null,
          },
          ip: request.ip,
        });
        return session;
      },
    });
  }

  /** A pending sign-in's challenge as its 202 described it (the sign-in page shows it again); 404 once it is gone. */
  async describe(request: Omit<SecondaryAttempt, 'code'>): Promise<SecondaryChallenge> {
    const challenge = await this.challenges.find(request.challengeId, this.secondaryScope(request));
    return secondaryView(challenge);
  }

  /** A new code for a pending sign-in's challenge (SMS or email), under the verification resend rules. */
  async resend(request: Omit<SecondaryAttempt, 'code'>): Promise<{ resendAvailableAt: Date | null; expiresAt: Date }> {
    const scope = this.secondaryScope(request);
    const account = await this.pendingAccount(request.challengeId, scope);
    const challenge = await this.challenges.resend(request.challengeId, scope, { account });
    return { resendAvailableAt: challenge.resendAvailableAt, expiresAt: challenge.expiresAt };
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
  return {
    deviceIdHash: typeof deviceIdHash === 'string' ? deviceIdHash : null,
    network: String(network),
    device: String(device),
    ip: String(ip),
  };
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
