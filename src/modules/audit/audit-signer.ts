import { Injectable } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { CryptoService } from '../../common/crypto/crypto.service';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';

/** A public key of the audit log as a JWK (RFC 8037). */
export interface AuditPublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly use: 'sig';
}

/** What a checkpoint's signature covers: the UTF-8 of "<size>\n<rootHash>\n<timestamp>". */
export function checkpointMessage(size: number, rootHash: string, timestamp: string): Buffer {
  return Buffer.from(`${size}\n${rootHash}\n${timestamp}`, 'utf8');
}

// PKCS #8 wrapping of a raw Ed25519 seed (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The Ed25519 key that signs the audit log's checkpoints and the appeal receipts: the seed in
 * AUDIT_SIGNING_KEY, else one derived from APP_SECRET. Its `kid` is the RFC 7638 thumbprint of
 * the public key, so a key keeps its kid wherever it is listed.
 */
@Injectable()
export class AuditSigner {
  private readonly privateKey: KeyObject;
  readonly jwk: AuditPublicJwk;

  constructor(@InjectConfig() config: AppConfig, crypto: CryptoService) {
    const seed = config.audit.signingSeed ?? crypto.key('audit-signing');
    this.privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const { x } = createPublicKey(this.privateKey).export({ format: 'jwk' }) as { x: string };
    this.jwk = { kty: 'OKP', crv: 'Ed25519', x, kid: thumbprint(x), use: 'sig' };
  }

  get kid(): string {
    return this.jwk.kid;
  }

  /** base64url Ed25519 signature. */
  sign(message: Buffer): string {
    return sign(null, message, this.privateKey).toString('base64url');
  }

  /** A compact JWS (RFC 7515) with header `{ alg: "EdDSA", kid }`. */
  signJws(payload: unknown): string {
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: this.kid })).toString('base64url');
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${header}.${body}.${this.sign(Buffer.from(`${header}.${body}`, 'ascii'))}`;
  }
}

/** RFC 7638 thumbprint of an Ed25519 public key, base64url. */
export function thumbprint(x: string): string {
  return createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
}

/** Checks an Ed25519 signature with a public JWK. */
export function verifySignature(jwk: { x: string }, message: Buffer, signature: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
    return verify(null, message, key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
