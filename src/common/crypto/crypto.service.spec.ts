import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/app-config';
import { CryptoService } from './crypto.service';
import { constantTimeEqual, hashToken, randomBase32, randomDigits, randomToken } from './tokens';

describe(CryptoService.name, () => {
  const service = (secret: string) =>
    new CryptoService(loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'ac-crypto-')), APP_SECRET: secret }));
  const crypto = service('11'.repeat(32));

  it('seals and opens a value, with a fresh IV each time', () => {
    const a = crypto.seal('123456');
    const b = crypto.seal('123456');
    expect(a).not.toBe(b);
    expect(a).not.toContain('123456');
    expect(crypto.unseal(a)).toBe('123456');
  });

  it('refuses a sealed value that was altered or sealed under another secret', () => {
    const sealed = crypto.seal('secret');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(() => crypto.unseal(parts.join('.'))).toThrow();
    expect(() => service('22'.repeat(32)).unseal(sealed)).toThrow();
    expect(() => crypto.unseal('plain text')).toThrow('not a sealed value');
  });

  it('keys its HMAC by purpose and by secret', () => {
    expect(crypto.hmac('123456')).toMatch(/^[0-9a-f]{64}$/);
    expect(crypto.hmac('123456')).toBe(crypto.hmac('123456'));
    expect(crypto.hmac('123456', 'device')).not.toBe(crypto.hmac('123456'));
    expect(service('22'.repeat(32)).hmac('123456')).not.toBe(crypto.hmac('123456'));
  });
});

describe('tokens', () => {
  it('draws digits, base32 and tokens of the asked length', () => {
    expect(randomDigits(6)).toMatch(/^\d{6}$/);
    expect(randomBase32(10)).toMatch(/^[A-Z2-7]{10}$/);
    expect(Buffer.from(randomToken(), 'base64url')).toHaveLength(32);
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('spreads digits evenly enough to be a CSPRNG draw', () => {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 2000; i += 1) for (const d of randomDigits(6)) counts[Number(d)] += 1;
    for (const count of counts) expect(count).toBeGreaterThan(1000);
  });

  it('compares in constant time and tells lengths apart', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
