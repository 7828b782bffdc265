import { NobleCryptoPlugin, ScureBase32Plugin, TOTP } from 'otplib';
import { Clock } from '../../src/common/clock';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { TotpService } from '../../src/modules/accounts/totp.service';
import { api, bearer, createAccount, TestAccount, uniquePhone } from './factories';
import { Inbox } from './inbox';
import { TestApp } from './test-app';

const totp = new TOTP({ algorithm: 'sha1', digits: 6, period: 30, crypto: new NobleCryptoPlugin(), base32: new ScureBase32Plugin() });

/** The TOTP code of `secret` at the app's current time, `steps` periods later (negative: earlier). */
export function totpCode(t: TestApp, secret: string, steps = 0): Promise<string> {
  return totp.generate({ secret, epoch: Math.floor(t.get(Clock).nowMs() / 1000) + steps * 30 });
}

/** An account with a secure phone and an authenticator app: its TOTP secret and recovery codes. */
export async function accountWithPhoneAndApp(t: TestApp): Promise<{ account: TestAccount; secret: string; recoveryCodes: string[] }> {
  const account = await createAccount(t, { securePhone: uniquePhone() });
  const secret = t.get(TotpService).newSecret();
  const recoveryCodes = await t.dataSource.transaction(async (manager) => {
    await t.get(AccountsService).setTotpSecret(manager, account.uid, secret);
    return t.get(TotpService).issueRecoveryCodes(manager, account.uid);
  });
  return { account, secret, recoveryCodes };
}

export type VerificationPurpose =
  | 'change_password'
  | 'change_email'
  | 'change_phone'
  | 'enable_totp'
  | 'disable_totp'
  | 'add_passkey'
  | 'remove_passkey'
  | 'stop_appeal';

/**
 * Verifies the identity of the session's owner through the API and returns the verification
 * token: by SMS to `via` (a phone), by email to `via` (an address), or by TOTP with
 * `via.totpSecret` (the code of the current step, or `steps` later: a step is accepted once).
 */
export async function verificationToken(
  t: TestApp,
  inbox: Inbox,
  token: string,
  purpose: VerificationPurpose,
  via: string | { totpSecret: string; steps?: number },
): Promise<string> {
  const verify = async (id: string, code: string) =>
    (await api(t).post(`/api/v1/verifications/${id}/verify`).set(bearer(token)).send({ code }).expect(200)).body
      .verificationToken as string;
  if (typeof via !== 'string') {
    const started = await api(t).post('/api/v1/verifications').set(bearer(token)).send({ purpose, method: 'totp' }).expect(201);
    return verify(started.body.id as string, await totpCode(t, via.totpSecret, via.steps));
  }
  const method = via.startsWith('+') ? 'sms' : 'email';
  const { result, code } = await inbox.codeAfter(via, 'verification-code', () =>
    api(t).post('/api/v1/verifications').set(bearer(token)).send({ purpose, method }).expect(201),
  );
  return verify(result.body.id as string, code);
}
