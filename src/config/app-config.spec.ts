import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config';
import { ConfigError } from './config-error';

describe('loadConfig', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'ac-config-'));
  const hexSecret = 'ab'.repeat(32);

  function problemOf(env: NodeJS.ProcessEnv): ConfigError {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('starts on embedded defaults with nothing set', () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3000, publicBaseUrl: 'http://localhost:3000', secureCookies: false });
    expect(config.role).toBe('all');
    expect(config.database.url).toBeUndefined();
    expect(config.redis).toEqual({ url: undefined, prefix: 'ac' });
    expect(config.appeals).toMatchObject({ coolingOffMs: 86_400_000, fourEyes: true, evidenceThreshold: 60, leaseMs: 1_800_000 });
    expect(config.verification).toEqual({ codeTtlMs: 600_000, resendCooldownMs: 60_000, tokenTtlMs: 900_000 });
    expect(config.sessions).toEqual({ idleMs: 1_800_000, absoluteMs: 43_200_000 });
    expect(config.devOutbox).toMatchObject({ enabled: true, pageEnabled: true, dir: join(dir, 'outbox') });
  });

  it('names a loopback HOST localhost in the default public URL, since browsers refuse an IP address as a passkey RP ID', () => {
    expect(loadConfig({ DATA_DIR: dataDir(), HOST: '::1', PORT: '4000' }).http.publicBaseUrl).toBe('http://localhost:4000');
    expect(loadConfig({ DATA_DIR: dataDir(), HOST: '127.0.0.2' }).http.publicBaseUrl).toBe('http://localhost:3000');
    expect(loadConfig({ DATA_DIR: dataDir(), HOST: '10.1.2.3' }).http.publicBaseUrl).toBe('http://10.1.2.3:3000');
    expect(loadConfig({ DATA_DIR: dataDir(), HOST: '2001:db8::1' }).http.publicBaseUrl).toBe('http://[2001:db8::1]:3000');
  });

  it('generates the secret once and reads it back', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).secret;
    expect(first).toHaveLength(32);
    expect(loadConfig({ DATA_DIR: dir }).secret.equals(first)).toBe(true);
    expect(readFileSync(join(dir, 'secret'), 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('accepts hex and base64 secrets of 32 bytes or more', () => {
    expect(loadConfig({ DATA_DIR: dataDir(), APP_SECRET: hexSecret }).secret).toEqual(Buffer.alloc(32, 0xab));
    const b64 = Buffer.alloc(48, 7).toString('base64');
    expect(loadConfig({ DATA_DIR: dataDir(), APP_SECRET: b64 }).secret).toHaveLength(48);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'must be a whole number from 1 to 65535'],
    [{ PORT: '70000' }, 'PORT', 'must be a whole number'],
    [{ SESSION_IDLE: '30 minutes' }, 'SESSION_IDLE', 'must be a duration'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', 'postgres://'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL', 'redis://'],
    [{ PROCESS_ROLE: 'both' }, 'PROCESS_ROLE', "'all' | 'api' | 'worker'"],
    [{ APP_SECRET: 'short' }, 'APP_SECRET', 'at least 32 bytes'],
    [{ APPEAL_FOUR_EYES: 'maybe' }, 'APPEAL_FOUR_EYES', 'must be true or false'],
    [{ SMS_PROVIDER: 'webhook' }, 'SMS_WEBHOOK_URL', 'is required when SMS_PROVIDER=webhook'],
    [{ NODE_ENV: 'production' }, 'APP_SECRET', 'is required in production'],
    [{ TRUST_PROXY: 'everyone' }, 'TRUST_PROXY', 'hop count'],
    [{ AUDIT_SEQUENCE_INTERVAL: 'often' }, 'AUDIT_SEQUENCE_INTERVAL', 'must be a duration'],
    [{ AUDIT_SIGNING_KEY: Buffer.alloc(16, 1).toString('base64url') }, 'AUDIT_SIGNING_KEY', '32 bytes'],
  ])('refuses %p naming %s', (env, variable, fragment) => {
    const problem = problemOf({ DATA_DIR: dataDir(), ...env });
    expect(problem.variable).toBe(variable);
    expect(problem.message).toContain(fragment);
    expect(problem.message).not.toContain('\n');
  });

  it('reads the audit sequencer interval and signing seed', () => {
    const seed = Buffer.alloc(32, 9);
    const audit = loadConfig({
      DATA_DIR: dataDir(),
      AUDIT_SEQUENCE_INTERVAL: '250ms',
      AUDIT_SIGNING_KEY: seed.toString('base64url'),
    }).audit;
    expect(audit).toEqual({ sequenceIntervalMs: 250, signingSeed: seed });
    expect(loadConfig({ DATA_DIR: dataDir() }).audit).toEqual({ sequenceIntervalMs: 1_000, signingSeed: undefined });
  });

  it('reads trust proxy settings as Express understands them', () => {
    const read = (value: string) => loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: value }).http.trustProxy;
    expect(read('loopback')).toEqual(['loopback']);
    expect(read('2')).toBe(2);
    expect(read('10.0.0.0/8, 192.168.1.1')).toEqual(['10.0.0.0/8', '192.168.1.1']);
  });

  it('marks cookies secure behind an https public address', () => {
    const config = loadConfig({ DATA_DIR: dataDir(), PUBLIC_BASE_URL: 'https://accounts.example.com/' });
    expect(config.http).toMatchObject({ publicBaseUrl: 'https://accounts.example.com', secureCookies: true });
  });
});
