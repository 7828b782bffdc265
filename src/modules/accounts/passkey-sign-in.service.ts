import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PublicKeyCredentialRequestOptionsJSON, RelyingParty } from '../../common/webauthn/relying-party';
import { addressKey } from '../../common/client-address';
import { RateLimitedError } from '../../common/errors/domain-error';
import { inOneRoundTrip } from '../../database/one-round-trip';
import { bucket, Limiter } from '../../infrastructure/limits/limiter';
import { LIMITS } from '../../infrastructure/limits/limits';
import { AuditService } from '../audit/audit.service';
import { CodeChallengesService } from '../challenges/code-challenges.service';
import { InvalidCredentialsError, LoginThrottledError } from './accounts.errors';
import { AccountsService } from './accounts.service';
import { deviceLabel, DevicesService } from './devices.service';
import { LoginThrottle } from './login-throttle.service';
import { PasskeyCredentialsService } from './passkey-credentials.service';
import { Principal, auditActorOf } from './principal';
import { IssuedSession, SessionsService } from './sessions.service';
import { refuseFrozen } from './sign-in.service';

/** The WebAuthn ceremony of a passkey sign-in (`purpose` of its challenge). */
const SIGN_IN = 'sign_in';

export interface PasskeySignInAttempt {
  readonly challengeId: string;
  readonly credential: unknown;
  readonly ip: string;
  readonly userAgent?: string;
  readonly deviceId?: string;
}

/**
 * Sign-in with a passkey: a discoverable credential with user verification is two factors, so
 * no password and no secondary challenge; the device + network becomes trusted. Every failure
 * (unknown credential, bad signature, used or expired challenge, another origin or RP ID, a
 * counter that went backwards) answers like a wrong password and counts toward the IP's
 * throttle; a frozen account answers 423 only after a valid assertion.
 */
@Injectable()
export class PasskeySignInService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly devices: DevicesService,
    private readonly passkeys: PasskeyCredentialsService,
    private readonly challenges: CodeChallengesService,
    private readonly relyingParty: RelyingParty,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    private readonly limiter: Limiter,
  ) {}

  /**
   * A fresh challenge for any discoverable passkey of this RP (no `allowCredentials`). Nobody is
   * known yet and each challenge is a row, so an address may ask for so many in ten minutes (429).
   */
  async options(ip: string): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
    const allowance = await this.limiter.take([bucket(LIMITS.passkeyOptionsPerAddress, addressKey(ip))]);
    if (!allowance.taken) throw new RateLimitedError(Math.ceil(allowance.waitMs / 1000));
    const issued = await this.challenges.issueWebAuthn({ purpose: SIGN_IN });
    return { challengeId: issued.id, options: await this.relyingParty.authenticationOptions(issued.webauthnChallenge) };
  }

  async signIn(attempt: PasskeySignInAttempt): Promise<IssuedSession> {
    const lockedMs = await this.throttle.addressLockedMs(attempt.ip);
    if (lockedMs > 0) throw new LoginThrottledError(Math.ceil(lockedMs / 1000));

    const context = await this.challenges.consumeWebAuthn(attempt.challengeId, SIGN_IN);
    const challenge = context?.webauthnChallenge;
    // The check and what it writes (the counter, or a suspect mark and its notice) commit before any refusal.
    const verdict =
      typeof challenge === 'string'
        ? await this.dataSource.transaction((manager) =>
            this.passkeys.checkAssertion(manager, attempt.credential, challenge, { ip: attempt.ip }),
          )
        : ({ ok: false } as const);
    if (!verdict.ok) {
      await this.fail(attempt.ip);
      throw new InvalidCredentialsError();
    }

    const { passkey } = verdict;
    const account = await this.accounts.get(passkey.accountUid);
    if (account.status === 'frozen')
      await refuseFrozen(this.dataSource, this.audit, account, { principalType: 'root', method: 'passkey' }, attempt.ip);

    const principal: Principal = { type: 'root', uid: account.uid };
    const device = this.devices.fingerprint(attempt.deviceId, attempt.ip);
    return inOneRoundTrip(this.dataSource, async (manager) => {
      const session = await this.sessions.create(manager, principal, { ip: attempt.ip, userAgent: attempt.userAgent });
      if (device) await this.devices.recordSignIn(manager, account.uid, device, deviceLabel(attempt.userAgent), true);
      await this.audit.record(manager, {
        action: 'sign_in.succeeded',
        actor: auditActorOf(principal),
        subject: { type: 'account', id: account.uid },
        data: {
          sessionId: session.sessionId,
          principalType: 'root',
          method: 'passkey',
          passkeyId: passkey.id,
          deviceTrusted: device !== undefined,
        },
        ip: attempt.ip,
      });
      return session;
    });
  }

  private async fail(ip: string): Promise<void> {
    const lockoutMs = await this.throttle.recordAddressFailure(ip);
    await this.dataSource.transaction(async (manager) => {
      await this.audit.record(manager, { action: 'sign_in.failed', actor: { type: 'public' }, data: { reason: 'passkey_refused' }, ip });
      if (lockoutMs > 0)
        await this.audit.record(manager, {
          action: 'sign_in.throttled',
          actor: { type: 'system' },
          data: { lockoutSeconds: lockoutMs / 1000, ownerNotified: false },
          ip,
        });
    });
  }
}
