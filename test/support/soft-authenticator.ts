import { createHash, createPublicKey, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';
import { CborValue, encodeCbor } from './cbor';

/** A credential the authenticator holds: its ES256 key pair, the user it was made for, its signature counter. */
export interface SoftCredential {
  readonly id: string;
  readonly privateKey: KeyObject;
  readonly userHandle: string;
  readonly rpId: string;
  counter: number;
}

/** What may be bent in one ceremony, to see the server refuse it. */
export interface CeremonyOverrides {
  readonly origin?: string;
  readonly rpId?: string;
  /** Clears the user-verified flag. */
  readonly noUserVerification?: boolean;
  /** The signature counter to report (default: one more than the last). */
  readonly counter?: number;
  /** Signs another challenge than the options'. */
  readonly challenge?: string;
}

/** For a registration: make it with the key and id of a credential already held (a credential registered twice). */
export interface RegistrationOverrides extends CeremonyOverrides {
  readonly reuse?: SoftCredential;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/**
 * A software WebAuthn authenticator for API tests: ES256 key pairs from node:crypto, attestation
 * `none`, CBOR encoded by hand, discoverable credentials (the user handle comes back in
 * assertions). It answers options as a browser's `PublicKeyCredential.toJSON()` would.
 */
export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(private readonly origin: string) {}

  /** The answer to `PublicKeyCredentialCreationOptionsJSON`: a `RegistrationResponseJSON`. */
  register(
    options: { challenge: string; rp: { id?: string }; user: { id: string } },
    overrides: RegistrationOverrides = {},
  ): Record<string, unknown> & { id: string } {
    const rpId = overrides.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = overrides.reuse
      ? { privateKey: overrides.reuse.privateKey, publicKey: createPublicKey(overrides.reuse.privateKey) }
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = encodeCbor(
      new Map<CborValue, CborValue>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const credentialId = overrides.reuse ? Buffer.from(overrides.reuse.id, 'base64url') : randomBytes(16);
    const counter = overrides.counter ?? 0;
    const attested = Buffer.concat([Buffer.alloc(16), u16(credentialId.length), credentialId, cose]);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([flags(overrides) | FLAG_AT]), u32(counter), attested]);
    const clientDataJSON = this.clientData('webauthn.create', overrides.challenge ?? options.challenge, overrides);
    const attestationObject = encodeCbor(
      new Map<CborValue, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map<CborValue, CborValue>()],
        ['authData', authData],
      ]),
    );
    const id = b64url(credentialId);
    if (!overrides.reuse) this.credentials.push({ id, privateKey, userHandle: options.user.id, rpId, counter });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * The answer to `PublicKeyCredentialRequestOptionsJSON`: an `AuthenticationResponseJSON` by
   * `credential` (default: the first allowed one, else the newest this authenticator holds).
   */
  assert(
    options: { challenge: string; rpId?: string; allowCredentials?: { id: string }[] },
    overrides: CeremonyOverrides & { credential?: SoftCredential } = {},
  ): Record<string, unknown> & { id: string } {
    const credential =
      overrides.credential ??
      this.credentials.find((candidate) => options.allowCredentials?.some((allowed) => allowed.id === candidate.id)) ??
      this.credentials.at(-1);
    if (!credential) throw new Error('this authenticator holds no credential');
    const rpId = overrides.rpId ?? options.rpId ?? credential.rpId;
    credential.counter = overrides.counter ?? credential.counter + 1;
    const authData = Buffer.concat([sha256(rpId), Buffer.from([flags(overrides)]), u32(credential.counter)]);
    const clientDataJSON = this.clientData('webauthn.get', overrides.challenge ?? options.challenge, overrides);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private clientData(type: string, challenge: string, overrides: CeremonyOverrides): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: overrides.origin ?? this.origin, crossOrigin: false }));
  }
}

function flags(overrides: CeremonyOverrides): number {
  return FLAG_UP | (overrides.noUserVerification ? 0 : FLAG_UV);
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}
