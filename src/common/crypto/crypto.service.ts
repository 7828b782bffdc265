import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';

const SEAL_VERSION = 'v1';

/** Purposes of the subkeys derived from APP_SECRET; a key is never used for two of them. */
export type KeyPurpose = 'code-hmac' | 'seal' | 'csrf' | 'flash' | 'sms-signature' | 'device' | 'audit-signing' | 'audit-pseudonym';

/**
 * Keyed operations under subkeys of APP_SECRET: HMAC of low-entropy secrets (codes) and
 * AES-256-GCM sealing of secrets that must be read back (TOTP secrets, codes in the outbox).
 */
@Injectable()
export class CryptoService {
  private readonly keys = new Map<KeyPurpose, Buffer>();

  constructor(@InjectConfig() private readonly config: Pick<AppConfig, 'secret'>) {}

  key(purpose: KeyPurpose): Buffer {
    let key = this.keys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.config.secret, 'account-center', purpose, 32));
      this.keys.set(purpose, key);
    }
    return key;
  }

  /** HMAC-SHA256 of a code or other guessable secret, hex; bind it to its context through `value`. */
  hmac(value: string, purpose: KeyPurpose = 'code-hmac'): string {
    return createHmac('sha256', this.key(purpose)).update(value, 'utf8').digest('hex');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key('seal'), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [SEAL_VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Opens what `seal` produced; throws when the text was altered or sealed under another secret. */
  unseal(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== SEAL_VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key('seal'), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
