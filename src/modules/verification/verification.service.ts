import { Injectable } from '@nestjs/common';
import { maskEmail, maskPhone } from '../../common/masking';
import { verificationMethods, VerificationMethod } from '../accounts/account-view';
import { AccountsService } from '../accounts/accounts.service';
import { AuthenticatedSession } from '../accounts/principal';
import { TotpService } from '../accounts/totp.service';
import { PublicKeyCredentialRequestOptionsJSON, RelyingParty } from '../../common/webauthn/relying-party';
import { PasskeyCredentialsService } from '../accounts/passkey-credentials.service';
import { MethodUnavailableError, VerificationCodeInvalidError } from '../challenges/challenges.errors';
import { ChallengeScope, CodeChallengesService } from '../challenges/code-challenges.service';
import { CodeChallenge } from '../challenges/entities/code-challenge.entity';
import { VerificationTokensService } from '../challenges/verification-tokens.service';
import { VerificationPurpose } from './verification-purpose';

/** `POST /api/v1/verifications`, as docs/api.md shapes it. */
export interface VerificationView {
  readonly id: string;
  readonly purpose: VerificationPurpose;
  readonly method: VerificationMethod;
  readonly maskedDestination?: string;
  readonly expiresAt: Date;
  readonly resendAvailableAt?: Date;
  /** For `passkey`: the WebAuthn request options, `allowCredentials` the account's passkeys. */
  readonly options?: PublicKeyCredentialRequestOptionsJSON;
}

/**
 * Identity verification before a sensitive change: a code by SMS to the secure phone or by email
 * to the logon email, or a TOTP code (or recovery code), for one purpose. A right code yields a
 * verification token bound to the account, the session and the purpose. Only the owner of an
 * active account may verify; every rule of the verification table is the challenge engine's.
 */
@Injectable()
export class VerificationService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly challenges: CodeChallengesService,
    private readonly tokens: VerificationTokensService,
    private readonly totp: TotpService,
    private readonly passkeys: PasskeyCredentialsService,
    private readonly relyingParty: RelyingParty,
  ) {}

  /** Starts a verification; 400 METHOD_UNAVAILABLE for a method the account lacks. */
  async start(
    session: AuthenticatedSession,
    request: { purpose: VerificationPurpose; method: VerificationMethod },
    ip?: string,
  ): Promise<VerificationView> {
    const account = await this.accounts.getChangeable(session);
    // Whether the account has a passkey decides only the passkey method: the others skip the query.
    const hasPasskey = request.method === 'passkey' && (await this.passkeys.count(account.uid)) > 0;
    if (!verificationMethods(account, hasPasskey).includes(request.method)) throw new MethodUnavailableError(unavailable(request.method));
    const destination = request.method === 'sms' ? account.securePhone : request.method === 'email' ? account.logonEmail : null;
    const challenge = await this.challenges.issueAlone({
      kind: 'verification',
      method: request.method,
      account,
      sessionId: session.sessionId,
      purpose: request.purpose,
      destination,
      message:
        request.method === 'totp' || request.method === 'passkey'
          ? undefined
          : { template: 'verification-code', locale: account.locale, variables: { purpose: request.purpose } },
      ip,
    });
    return this.withOptions(viewOf(challenge), challenge);
  }

  /** The WebAuthn request options of a passkey verification, for its current WebAuthn challenge. */
  private async withOptions(view: VerificationView, challenge: CodeChallenge): Promise<VerificationView> {
    const current = challenge.context.webauthnChallenge;
    if (challenge.method !== 'passkey' || typeof current !== 'string' || !challenge.accountUid) return view;
    const allow = await this.passkeys.list(challenge.accountUid);
    return { ...view, options: await this.relyingParty.authenticationOptions(current, allow) };
  }

  /** A verification of this session as `start` answered it (the verification page shows it again); 404 for any other. */
  async describe(session: AuthenticatedSession, id: string): Promise<VerificationView> {
    const challenge = await this.challenges.find(id, scopeOf(session));
    return this.withOptions(viewOf(challenge), challenge);
  }

  /** A new code (and lifetime) for a verification by SMS or email. */
  async resend(session: AuthenticatedSession, id: string): Promise<{ resendAvailableAt: Date | null; expiresAt: Date }> {
    const account = await this.accounts.getChangeable(session);
    const challenge = await this.challenges.resend(id, scopeOf(session), { account });
    return { resendAvailableAt: challenge.resendAvailableAt, expiresAt: challenge.expiresAt };
  }

  /**
   * Checks the code (or, for `passkey`, the assertion); a right one yields the verification token
   * (shown once). A failed assertion counts like a wrong code, and its 400 carries fresh
   * `options`: each WebAuthn challenge is answered once.
   */
  async verify(
    session: AuthenticatedSession,
    id: string,
    answer: { code?: string; credential?: unknown },
    ip?: string,
  ): Promise<{ verificationToken: string; expiresAt: Date }> {
    const account = await this.accounts.getChangeable(session);
    try {
      const issued = await this.challenges.verify(id, answer.credential ?? answer.code, scopeOf(session), {
        account,
        ip,
        checkTotp: (candidate, manager) => this.totp.check(account, candidate, manager),
        checkPasskey: async (credential, webauthnChallenge, manager) =>
          (await this.passkeys.checkAssertion(manager, credential, webauthnChallenge, { accountUid: account.uid, ip })).ok,
        onSuccess: (manager, challenge) =>
          this.tokens.issue(
            manager,
            { accountUid: account.uid, sessionId: session.sessionId, purpose: challenge.purpose! },
            challenge.method,
          ),
      });
      return { verificationToken: issued.token, expiresAt: issued.expiresAt };
    } catch (error) {
      if (!(error instanceof VerificationCodeInvalidError)) throw error;
      const challenge = await this.challenges.find(id, scopeOf(session));
      if (challenge.method !== 'passkey') throw error;
      const { options } = await this.withOptions(viewOf(challenge), challenge);
      throw new VerificationCodeInvalidError(error.attemptsRemaining, { options });
    }
  }
}

/** A verification belongs to the session that started it: any other caller is told it does not exist. */
function scopeOf(session: AuthenticatedSession): ChallengeScope {
  return { kind: 'verification', accountUid: session.accountUid, sessionId: session.sessionId };
}

function viewOf(challenge: CodeChallenge): VerificationView {
  const masked = challenge.destination
    ? challenge.method === 'sms'
      ? maskPhone(challenge.destination)
      : maskEmail(challenge.destination)
    : undefined;
  return {
    id: challenge.id,
    purpose: challenge.purpose as VerificationPurpose,
    method: challenge.method,
    ...(masked ? { maskedDestination: masked } : {}),
    expiresAt: challenge.expiresAt,
    ...(challenge.resendAvailableAt ? { resendAvailableAt: challenge.resendAvailableAt } : {}),
  };
}

function unavailable(method: VerificationMethod): string {
  switch (method) {
    case 'sms':
      return 'This account has no secure phone: choose another of its verification methods.';
    case 'totp':
      return 'This account has no authenticator app set up: choose another of its verification methods.';
    case 'email':
      return 'This verification method is not available for this account.';
    case 'passkey':
      return 'This account has no passkey: choose another of its verification methods.';
  }
}
