import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { maskEmail, maskPhone } from '../../common/masking';
import { AuditService } from '../audit/audit.service';
import { CHALLENGE_RULES } from '../challenges/challenge-limits';
import {
  MethodUnavailableError,
  VerificationExpiredError,
  VerificationLockedError,
  VerificationUsedError,
} from '../challenges/challenges.errors';
import { ChallengeScope, CodeChallengesService, IssueChallenge } from '../challenges/code-challenges.service';
import { ChallengeMethod, CodeChallenge } from '../challenges/entities/code-challenge.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { AccountsService, assertNotFrozen } from './accounts.service';
import { DeviceFingerprint, deviceLabel, DevicesService } from './devices.service';
import { Account } from './entities/account.entity';
import { networkOf } from './network';
import { Principal, auditActorOf } from './principal';
import { PasskeyCredentialsService } from './passkey-credentials.service';
import { PasskeySecondFactorService } from './passkey-second-factor.service';
import type { PublicKeyCredentialRequestOptionsJSON } from '../../common/webauthn/relying-party';
import { IssuedSession, SessionsService } from './sessions.service';
import type { SignInAttempt } from './sign-in.service';
import { TotpFactor, TotpService } from './totp.service';

/** The code (or, for a `passkey` challenge, the assertion) that completes a sign-in answered with 202, from the client that started it. */
export interface SecondaryAttempt {
  readonly challengeId: string;
  readonly code?: string;
  readonly credential?: unknown;
  readonly ip: string;
  readonly userAgent?: string;
  readonly deviceId?: string;
}

/**
 * The ways a sign-in's second factor can go, in the order the first challenge picks them: SMS to
 * the secure phone, the authenticator app, email to the logon email. `passkey` is named here so
 * that a switch to it is validated like the others: the account must have one.
 */
export const SIGN_IN_METHODS = ['sms', 'totp', 'email', 'passkey'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** The 202 of a sign-in from an unfamiliar device or network, as docs/api.md shapes it. */
export interface SecondaryChallenge {
  readonly status: 'secondary_auth_required';
  readonly challengeId: string;
  readonly method: ChallengeMethod;
  /** Where the code went, masked; null for TOTP (nothing is sent). */
  readonly maskedDestination: string | null;
  readonly expiresAt: Date;
  readonly resendAvailableAt?: Date;
  /** For `passkey`: the WebAuthn request options (`allowCredentials`: the account's passkeys). */
  readonly options?: PublicKeyCredentialRequestOptionsJSON;
  /** Every other method the account has: "Try another way" switches to one of them. */
  readonly otherMethods: SignInMethod[];
}

/** "Try another way": the pending sign-in's challenge and the method to go on with. */
export interface SecondaryMethodSwitch {
  readonly challengeId: string;
  readonly method: SignInMethod;
  readonly ip: string;
  readonly userAgent?: string;
  readonly deviceId?: string;
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
    private readonly passkeyFactor: PasskeySecondFactorService,
    private readonly passkeys: PasskeyCredentialsService,
  ) {}

  /**
   * The secondary challenge of a root sign-in from an unfamiliar device or network: by SMS to the
   * secure phone, else TOTP, else by email to the logon email. It counts toward the account's
   * send limit like every code, and is refused while the account's verification is locked.
   */
  async hold(account: Account, device: DeviceFingerprint | undefined, attempt: SignInAttempt): Promise<SecondaryChallenge> {
    const methods = await this.methodsOf(account);
    const pending: PendingSignIn = {
      deviceIdHash: device?.deviceIdHash ?? null,
      network: device?.network ?? networkOf(attempt.ip),
      device: deviceLabel(attempt.userAgent),
      ip: attempt.ip,
    };
    return this.startChallenge(account, methods[0], methods, pending, attempt.ip);
  }

  /**
   * "Try another way": ends the pending sign-in's challenge and starts one by `method`, for the
   * same sign-in (same device id, network and client). The method must be one the account has
   * (400 METHOD_UNAVAILABLE otherwise); a code sent counts toward the account's send limit like
   * any other, and the account's verification lock refuses the switch as it refuses a new
   * challenge. A challenge already used, out of attempts or expired cannot be switched from
   * (409, 423, 410, in that order): the person signs in again. A refused switch leaves the
   * challenge as it was.
   */
  async switchMethod(request: SecondaryMethodSwitch): Promise<SecondaryChallenge> {
    const scope = this.secondaryScope(request);
    const account = await this.pendingAccount(request.challengeId, scope);
    const methods = await this.methodsOf(account);
    if (!methods.includes(request.method)) throw new MethodUnavailableError(unavailable(request.method));
    return this.dataSource.transaction(async (manager) => {
      const current = await this.challenges.find(request.challengeId, scope, manager, true);
      if (current.usedAt) throw new VerificationUsedError();
      if (current.attempts >= CHALLENGE_RULES.attemptsPerChallenge) throw new VerificationLockedError();
      if (current.expiresAt.getTime() <= this.clock.nowMs()) throw new VerificationExpiredError();
      await this.challenges.cancel(manager, current.id, scope);
      const started = await this.startChallenge(account, request.method, methods, pendingSignInOf(current), request.ip, manager);
      await this.audit.record(manager, {
        action: 'sign_in.method_switched',
        actor: { type: 'public' },
        subject: { type: 'account', id: account.uid },
        data: { from: current.method, to: request.method, endedChallengeId: current.id, challengeId: started.challengeId },
        ip: request.ip,
      });
      return started;
    });
  }

  /**
   * The methods the account has for a sign-in's second factor, in the order the first challenge
   * prefers them (SIGN_IN_METHODS): the 202's `method` is the first, `otherMethods` the rest.
   */
  private async methodsOf(account: Account): Promise<SignInMethod[]> {
    const has: Record<SignInMethod, boolean> = {
      sms: account.securePhone !== null,
      totp: account.totpSecret !== null,
      email: true,
      passkey: (await this.passkeys.count(account.uid)) > 0,
    };
    return SIGN_IN_METHODS.filter((method) => has[method]);
  }

  /**
   * The one place a sign-in challenge is started, whatever the method: the first one (`hold`)
   * and every switch. In `manager`'s transaction when given (a switch), else in one of its own.
   */
  private async startChallenge(
    account: Account,
    method: SignInMethod,
    methods: readonly SignInMethod[],
    pending: PendingSignIn,
    ip: string,
    manager?: EntityManager,
  ): Promise<SecondaryChallenge> {
    const otherMethods = methods.filter((other) => other !== method);
    switch (method) {
      case 'sms':
      case 'email':
      case 'totp': {
        const request: IssueChallenge = {
          kind: 'sign_in',
          method,
          account,
          destination: method === 'sms' ? account.securePhone : method === 'email' ? account.logonEmail : null,
          message: method === 'totp' ? undefined : { template: 'sign-in-code', locale: account.locale, variables: { ip: pending.ip } },
          context: { ...pending },
          ip,
        };
        const challenge = manager ? await this.challenges.issue(manager, request) : await this.challenges.issueAlone(request);
        return secondaryView(challenge, otherMethods);
      }
      case 'passkey': {
        // Nothing is sent: the challenge holds a WebAuthn challenge, answered by the browser.
        const request: IssueChallenge = { kind: 'sign_in', method, account, context: { ...pending }, ip };
        const challenge = manager ? await this.challenges.issue(manager, request) : await this.challenges.issueAlone(request);
        return this.withPasskeyOptions(secondaryView(challenge, otherMethods), challenge);
      }
    }
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
    let factor: TotpFactor | null = null;
    return this.challenges
      .verify(request.challengeId, request.credential ?? request.code, scope, {
        account,
        ip: request.ip,
        checkTotp: async (code, manager) => (factor = await this.totp.checkFactor(account, code, manager)) !== null,
        // Passkey challenges ("try another way"): the WebAuthn rules are PasskeySecondFactorService's.
        checkPasskey: (credential, webauthnChallenge, manager) =>
          this.passkeyFactor.check(manager, account.uid, credential, webauthnChallenge, request.ip),
        onSuccess: async (manager, challenge) => {
          const current = await this.accounts.lock(manager, account.uid);
          assertNotFrozen(current);
          const principal: Principal = { type: 'root', uid: current.uid };
          const session = await this.sessions.create(manager, principal, { ip: request.ip, userAgent: request.userAgent });
          const pending = pendingSignInOf(challenge);
          const recoveryCodesLeft = factor === 'recovery_code' ? await this.totp.recoveryCodesLeft(current.uid, manager) : undefined;
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
              recoveryCodesLeft: recoveryCodesLeft ?? null,
            },
            accountUid: current.uid,
          });
          if (recoveryCodesLeft !== undefined) {
            await this.audit.record(manager, {
              action: 'totp.recovery_code_used',
              actor: auditActorOf(principal),
              subject: { type: 'account', id: current.uid },
              data: { usedFor: 'sign_in', challengeId: challenge.id, recoveryCodesLeft },
              ip: request.ip,
            });
          }
          await this.audit.record(manager, {
            action: 'sign_in.succeeded',
            actor: auditActorOf(principal),
            subject: { type: 'account', id: current.uid },
            data: {
              sessionId: session.sessionId,
              principalType: 'root',
              knownDevice: false,
              secondFactor: factor === 'recovery_code' ? 'recovery_code' : challenge.method,
              deviceTrusted: pending.deviceIdHash !== null,
            },
            ip: request.ip,
          });
          return session;
        },
      })
      .catch((error: unknown) => this.passkeyFactor.withFreshOptions(error, request.challengeId, scope));
  }

  /** A pending sign-in's challenge as its 202 described it (the sign-in page shows it again); 404 once it is gone. */
  async describe(request: Omit<SecondaryAttempt, 'code'>): Promise<SecondaryChallenge> {
    const challenge = await this.challenges.find(request.challengeId, this.secondaryScope(request));
    const methods = await this.methodsOf(await this.accounts.get(challenge.accountUid!));
    return this.withPasskeyOptions(
      secondaryView(
        challenge,
        methods.filter((method) => method !== challenge.method),
      ),
      challenge,
    );
  }

  /** For a `passkey` challenge, its 202 carries the WebAuthn request options. */
  async withPasskeyOptions(view: SecondaryChallenge, challenge: CodeChallenge): Promise<SecondaryChallenge> {
    const options = await this.passkeyFactor.options(challenge);
    return options ? { ...view, options } : view;
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

function secondaryView(challenge: CodeChallenge, otherMethods: SignInMethod[]): SecondaryChallenge {
  const { method, destination } = challenge;
  return {
    status: 'secondary_auth_required',
    challengeId: challenge.id,
    method,
    maskedDestination: method === 'sms' ? maskPhone(destination!) : method === 'email' ? maskEmail(destination!) : null,
    expiresAt: challenge.expiresAt,
    ...(challenge.resendAvailableAt ? { resendAvailableAt: challenge.resendAvailableAt } : {}),
    otherMethods,
  };
}

function unavailable(method: SignInMethod): string {
  switch (method) {
    case 'sms':
      return 'This account has no secure phone: choose another of its sign-in methods.';
    case 'totp':
      return 'This account has no authenticator app set up: choose another of its sign-in methods.';
    case 'passkey':
      return 'This account has no passkey: choose another of its sign-in methods.';
    case 'email':
      return 'This sign-in method is not available for this account.';
  }
}
