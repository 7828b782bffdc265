import supertest from 'supertest';
import { Clock } from '../../src/common/clock';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DevicesService } from '../../src/modules/accounts/devices.service';
import { SignInService } from '../../src/modules/accounts/sign-in.service';
import { TestApp } from './test-app';
import { Locale } from '../../src/common/locales';

/** ADMIN_API_TOKEN of test apps that use the admin API. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** METRICS_TOKEN of test apps that read `/metrics`, and the header that sends it. */
export const METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';
export const METRICS_AUTH = { Authorization: `Bearer ${METRICS_TOKEN}` };

export const DEFAULT_PASSWORD = 'correct horse battery staple 42';

let sequence = 0;
const next = () => `${process.env.JEST_WORKER_ID ?? '0'}-${(sequence += 1)}`;

/** A fresh email address nobody in this run has used. */
export function uniqueEmail(prefix = 'owner'): string {
  return `${prefix}-${next()}@example.com`;
}

/** A fresh mobile number (E.164, +86 139...) nobody in this run has used. */
export function uniquePhone(): string {
  return `+86139${String(Number(process.env.JEST_WORKER_ID ?? 0) * 1_000_000 + (sequence += 1)).padStart(8, '0')}`;
}

/** A fresh client address, so sign-in throttling per IP of one test never meets another's (apps run with TRUST_PROXY=loopback). */
export function uniqueIp(): string {
  const n = (sequence += 1);
  return `198.51.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

export interface TestAccount {
  readonly uid: string;
  readonly logonEmail: string;
  readonly password: string;
  readonly securePhone?: string;
}

/** Provisions an account through AccountsService, as the admin API does. */
export async function createAccount(
  t: TestApp,
  options: { logonEmail?: string; password?: string; securePhone?: string; locale?: Locale } = {},
): Promise<TestAccount> {
  const logonEmail = options.logonEmail ?? uniqueEmail();
  const password = options.password ?? DEFAULT_PASSWORD;
  const account = await t
    .get(AccountsService)
    .create({ logonEmail, password, securePhone: options.securePhone, locale: options.locale }, { actor: { type: 'system', id: 'test' } });
  return { uid: account.uid, logonEmail: account.logonEmail, password, securePhone: options.securePhone };
}

/** A RAM user of `uid`; returns its login (`<loginName>@<uid>`) and password. */
export async function createRamUser(
  t: TestApp,
  uid: string,
  loginName = `ram-${next()}`,
  password = DEFAULT_PASSWORD,
): Promise<{ login: string; password: string }> {
  await t.get(AccountsService).createRamUser(uid, { loginName, password }, { actor: { type: 'system', id: 'test' } });
  return { login: `${loginName}@${uid}`, password };
}

/** A RAM role or SSO session, as the admin API mints it; returns its token. */
export async function mintSession(t: TestApp, uid: string, type: 'ram_role' | 'sso', name: string): Promise<string> {
  return (await t.get(SignInService).mintSession(uid, { type, name }, { actor: { type: 'system', id: 'test' } })).token;
}

/**
 * Requests without a cookie jar (`t.http` is an agent: it would keep the `ac_session` cookie of
 * the last sign-in and send it along).
 */
export function api(t: TestApp): ReturnType<typeof supertest> {
  return supertest(t.app.getHttpServer());
}

/** The device `signIn` signs in from unless told otherwise. */
export const KNOWN_DEVICE_ID = 'test-known-device-0123456789';

/** Makes `deviceId` at `ip` a device the account trusts, as a completed secondary sign-in would. */
export async function trustDevice(t: TestApp, uid: string, deviceId: string, ip: string): Promise<void> {
  const devices = t.get(DevicesService);
  await t.dataSource.transaction((manager) => devices.recordSignIn(manager, uid, devices.fingerprint(deviceId, ip)!, 'Test device', true));
}

/** The address the app sees for a request that says `X-Forwarded-For: ip`. */
export function seenIp(t: TestApp, ip: string): string {
  return t.config.http.trustProxy ? ip : '127.0.0.1';
}

/**
 * Signs in through the API and returns the session token; fails the test on anything but 201.
 * A root login signs in from a device (KNOWN_DEVICE_ID unless told) that the account is made to
 * trust first, so no secondary challenge interrupts: tests of that challenge sign in themselves.
 */
export async function signIn(
  t: TestApp,
  login: string,
  password: string,
  client: { ip?: string; deviceId?: string } = {},
): Promise<string> {
  const ip = client.ip ?? uniqueIp();
  const deviceId = client.deviceId ?? KNOWN_DEVICE_ID;
  const owner = await t.get(AccountsService).findByLogonEmail(login);
  if (owner) await trustDevice(t, owner.uid, deviceId, seenIp(t, ip));
  const response = await api(t)
    .post('/api/v1/sessions')
    .set('X-Forwarded-For', ip)
    .set('X-Device-Id', deviceId)
    .send({ login, password })
    .expect(201);
  return (response.body as { token: string }).token;
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/**
 * The app's Clock (every service reads time from it), back at real time: tests move it with its
 * `advance(ms)`, `freeze(at)` and `thaw()` instead of waiting.
 */
export function controlClock(t: TestApp): Clock {
  const clock = t.get(Clock);
  clock.reset();
  return clock;
}
