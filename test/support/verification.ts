import { NobleCryptoPlugin, ScureBase32Plugin, TOTP } from 'otplib';
import { Clock } from '../../src/common/clock';
import { TestApp } from './test-app';

const totp = new TOTP({ algorithm: 'sha1', digits: 6, period: 30, crypto: new NobleCryptoPlugin(), base32: new ScureBase32Plugin() });

/** The TOTP code of `secret` at the app's current time, `steps` periods later (negative: earlier). */
export function totpCode(t: TestApp, secret: string, steps = 0): Promise<string> {
  return totp.generate({ secret, epoch: Math.floor(t.get(Clock).nowMs() / 1000) + steps * 30 });
}
