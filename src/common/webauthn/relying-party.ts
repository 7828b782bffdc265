import { Injectable } from '@nestjs/common';
import type * as SimpleWebAuthn from '@simplewebauthn/server';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';

/** @simplewebauthn/server (about 6 MB resident with its CBOR and crypto helpers) is loaded at the first passkey ceremony, not at start. */
let library: typeof SimpleWebAuthn | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
const webauthn = (): typeof SimpleWebAuthn => (library ??= require('@simplewebauthn/server') as typeof SimpleWebAuthn);

export type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
};

/** How long a WebAuthn challenge may be answered. */
export const WEBAUTHN_CHALLENGE_TTL_MS = 5 * 60_000;

/** ES256 and RS256: what every platform authenticator and security key offers. */
const ALGORITHMS = [-7, -257];

/** A stored credential as the checks need it. */
export interface StoredCredential {
  readonly credentialId: string;
  readonly publicKey: Buffer;
  readonly counter: number;
  readonly transports: readonly string[];
}

/** A credential that a registration response proved. */
export interface NewCredential {
  readonly credentialId: string;
  readonly publicKey: Buffer;
  readonly counter: number;
  readonly transports: string[];
  readonly backedUp: boolean;
}

/** The outcome of checking an assertion against a stored credential. */
export type AssertionOutcome =
  | { readonly ok: true; readonly newCounter: number; readonly backedUp: boolean }
  | { readonly ok: false; readonly reason: 'invalid' | 'counter_regressed' };

/**
 * The service as a WebAuthn relying party: its RP ID is the host name of `PUBLIC_BASE_URL` and the
 * only origin it accepts is that URL's origin. Credentials are discoverable, user verification
 * is required, attestation is `none`. An IP address as RP ID is accepted here (clients other than
 * browsers use one); browsers refuse it, which is why a loopback HOST defaults to `localhost`.
 */
@Injectable()
export class RelyingParty {
  readonly rpId: string;
  readonly origin: string;
  readonly name = 'Account Center';

  constructor(@InjectConfig() config: AppConfig) {
    const url = new URL(config.http.publicBaseUrl);
    this.rpId = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.origin = url.origin;
  }

  /** A fresh random challenge (base64url of 32 bytes): each is answered once. */
  static challenge(): string {
    return randomBytes(32).toString('base64url');
  }

  registrationOptions(request: {
    challenge: string;
    userId: string;
    userName: string;
    displayName: string;
    exclude: readonly StoredCredential[];
  }): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return webauthn().generateRegistrationOptions({
      rpName: this.name,
      rpID: this.rpId,
      userID: Buffer.from(request.userId, 'utf8'),
      userName: request.userName,
      userDisplayName: request.displayName,
      challenge: Buffer.from(request.challenge, 'base64url'),
      timeout: WEBAUTHN_CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: request.exclude.map((credential) => ({ id: credential.credentialId, transports: transportsOf(credential) })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: ALGORITHMS,
    });
  }

  /** Request options for `challenge`; with `allow`, only those credentials (a verification); without, any discoverable one (sign-in). */
  authenticationOptions(challenge: string, allow?: readonly StoredCredential[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return webauthn().generateAuthenticationOptions({
      rpID: this.rpId,
      challenge: Buffer.from(challenge, 'base64url'),
      timeout: WEBAUTHN_CHALLENGE_TTL_MS,
      userVerification: 'required',
      ...(allow
        ? { allowCredentials: allow.map((credential) => ({ id: credential.credentialId, transports: transportsOf(credential) })) }
        : {}),
    });
  }

  /** The credential a registration response proves, or undefined when it proves nothing (bad attestation, challenge, origin, RP ID, no user verification). */
  async verifyRegistration(response: RegistrationResponseJSON, challenge: string): Promise<NewCredential | undefined> {
    try {
      const result = await webauthn().verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: true,
        supportedAlgorithmIDs: ALGORITHMS,
      });
      if (!result.verified) return undefined;
      const { credential, credentialBackedUp } = result.registrationInfo;
      return {
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: [...(response.response.transports ?? credential.transports ?? [])].map(String),
        backedUp: credentialBackedUp,
      };
    } catch {
      return undefined;
    }
  }

  /**
   * Checks an assertion by `stored` over `challenge`. A non-zero signature counter that does
   * not increase is told apart (`counter_regressed`): the credential may have been cloned.
   */
  async verifyAssertion(response: AuthenticationResponseJSON, challenge: string, stored: StoredCredential): Promise<AssertionOutcome> {
    let result: Awaited<ReturnType<typeof SimpleWebAuthn.verifyAuthenticationResponse>>;
    try {
      result = await webauthn().verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: true,
        // The counter rule is ours (below): the library would only throw, without telling a clone from a forgery.
        credential: { id: stored.credentialId, publicKey: new Uint8Array(stored.publicKey), counter: 0, transports: transportsOf(stored) },
      });
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (!result.verified) return { ok: false, reason: 'invalid' };
    const { newCounter, credentialBackedUp } = result.authenticationInfo;
    if ((newCounter > 0 || stored.counter > 0) && newCounter <= stored.counter) return { ok: false, reason: 'counter_regressed' };
    return { ok: true, newCounter, backedUp: credentialBackedUp };
  }
}

function transportsOf(credential: StoredCredential): AuthenticatorTransport[] {
  return credential.transports as AuthenticatorTransport[];
}

/** The members every credential response carries: an id of sane length, `rawId`, `type` and a `response` object. */
function credentialResponse(value: unknown): Record<string, unknown> | undefined {
  const credential = value as { id?: unknown; rawId?: unknown; type?: unknown; response?: unknown } | null;
  const ok =
    typeof credential === 'object' &&
    credential !== null &&
    typeof credential.id === 'string' &&
    credential.id.length > 0 &&
    credential.id.length <= 1400 &&
    typeof credential.rawId === 'string' &&
    credential.type === 'public-key' &&
    typeof credential.response === 'object' &&
    credential.response !== null;
  return ok ? (credential.response as Record<string, unknown>) : undefined;
}

/** Whether `value` has the shape of a credential response (members beyond these are ignored); the checks above do the rest. */
export function isAssertion(value: unknown): value is AuthenticationResponseJSON {
  const response = credentialResponse(value);
  return (
    response !== undefined &&
    typeof response.clientDataJSON === 'string' &&
    typeof response.authenticatorData === 'string' &&
    typeof response.signature === 'string'
  );
}

export function isRegistration(value: unknown): value is RegistrationResponseJSON {
  const response = credentialResponse(value);
  return response !== undefined && typeof response.clientDataJSON === 'string' && typeof response.attestationObject === 'string';
}
