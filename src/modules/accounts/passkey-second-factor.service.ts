import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PublicKeyCredentialRequestOptionsJSON, RelyingParty } from '../../common/webauthn/relying-party';
import { VerificationCodeInvalidError } from '../challenges/challenges.errors';
import { ChallengeScope, CodeChallengesService } from '../challenges/code-challenges.service';
import { CodeChallenge } from '../challenges/entities/code-challenge.entity';
import { PasskeyCredentialsService } from './passkey-credentials.service';

/**
 * A passkey as the second factor of a sign-in from an unfamiliar device ("try another way"):
 * the request options of a `passkey` sign-in challenge, the check of its assertion, and the
 * fresh options a failed one answers with. SecondarySignInService calls it; the WebAuthn rules
 * live here.
 */
@Injectable()
export class PasskeySecondFactorService {
  constructor(
    private readonly passkeys: PasskeyCredentialsService,
    private readonly challenges: CodeChallengesService,
    private readonly relyingParty: RelyingParty,
  ) {}

  /** The request options of a passkey challenge (the account's passkeys allowed); undefined for any other method. */
  async options(challenge: CodeChallenge): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
    const current = challenge.context.webauthnChallenge;
    if (challenge.method !== 'passkey' || typeof current !== 'string' || !challenge.accountUid) return undefined;
    return this.relyingParty.authenticationOptions(current, await this.passkeys.list(challenge.accountUid));
  }

  /** Whether `credential` is an assertion by one of the account's passkeys over the challenge's current WebAuthn challenge. */
  async check(manager: EntityManager, accountUid: string, credential: unknown, webauthnChallenge: string, ip?: string): Promise<boolean> {
    return (await this.passkeys.checkAssertion(manager, credential, webauthnChallenge, { accountUid, ip })).ok;
  }

  /** A failed assertion's 400 carries fresh options (each WebAuthn challenge is answered once); other errors pass as they are. */
  async withFreshOptions(error: unknown, challengeId: string, scope: ChallengeScope): Promise<never> {
    if (!(error instanceof VerificationCodeInvalidError)) throw error;
    const options = await this.options(await this.challenges.find(challengeId, scope));
    if (!options) throw error;
    throw new VerificationCodeInvalidError(error.attemptsRemaining, { options });
  }
}
