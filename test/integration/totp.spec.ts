import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { TOTP_RULES, TotpService } from '../../src/modules/accounts/totp.service';
import { controlClock, createAccount } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { totpCode } from '../support/verification';

describe(TotpService.name, () => {
  let t: TestApp;
  let second: TestApp;
  let totp: TotpService;
  let clocks: ReturnType<typeof controlClock>[];

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    second = await createTestApp({ workers: false, sharing: t });
    totp = t.get(TotpService);
    // Both processes stopped at one instant, 10 s into a step: no step boundary passes mid-test.
    clocks = [controlClock(t), controlClock(second)];
    const at = Math.floor(Date.now() / 30_000) * 30_000 + 10_000;
    for (const clock of clocks) clock.freeze(at);
  });

  afterAll(async () => {
    await second.close();
    await t.close();
  });

  async function withTotp(): Promise<{ uid: string; secret: string; account: () => Promise<{ uid: string; totpSecret: string | null }> }> {
    const { uid } = await createAccount(t);
    const secret = totp.newSecret();
    await t.dataSource.transaction((manager) => t.get(AccountsService).setTotpSecret(manager, uid, secret));
    return { uid, secret, account: () => t.get(AccountsService).get(uid) };
  }

  it('makes 160-bit base32 secrets and otpauth URIs an authenticator app reads', () => {
    const secret = totp.newSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(totp.otpauthUri(secret, 'ada@example.com')).toBe(
      `otpauth://totp/Account%20Center:ada%40example.com?secret=${secret}&issuer=Account%20Center`,
    );
  });

  it('accepts the current step and one either side, each once and only forward, in every process', async () => {
    const { secret, account } = await withTotp();
    expect(await totp.check(await account(), await totpCode(t, secret, -2))).toBe(false);
    expect(await totp.check(await account(), await totpCode(t, secret, 2))).toBe(false);
    const previous = await totpCode(t, secret, -1);
    expect(await totp.check(await account(), previous)).toBe(true);
    expect(await totp.check(await account(), previous)).toBe(false);
    const current = await totpCode(t, secret);
    expect(await second.get(TotpService).check(await account(), current)).toBe(true);
    expect(await totp.check(await account(), current)).toBe(false);
    // Once a later step was taken, an earlier one is a replay too.
    expect(await totp.check(await account(), await totpCode(t, secret, 1))).toBe(true);
    for (const clock of clocks) clock.advance(TOTP_RULES.periodSeconds * 1000);
    expect(await totp.check(await account(), await totpCode(t, secret))).toBe(false);
    expect(await totp.check(await account(), await totpCode(t, secret, 1))).toBe(true);
  });

  it('takes each of ten recovery codes once, in any case and with a dash, and forgets them with TOTP', async () => {
    const { uid, account } = await withTotp();
    const codes = await t.dataSource.transaction((manager) => totp.issueRecoveryCodes(manager, uid));
    expect(codes).toHaveLength(TOTP_RULES.recoveryCodes);
    expect(await totp.check(await account(), `${codes[0].slice(0, 5).toLowerCase()}-${codes[0].slice(5)}`)).toBe(true);
    expect(await totp.check(await account(), codes[0])).toBe(false);
    expect(await totp.check(await account(), 'AAAAAAAAAA')).toBe(false);

    await t.dataSource.transaction((manager) => totp.disable(manager, uid));
    expect(await totp.check(await account(), codes[1])).toBe(false);
    expect((await account()).totpSecret).toBeNull();
  });

  it('accepts nothing for an account without TOTP', async () => {
    const { uid } = await createAccount(t);
    expect(await totp.check(await t.get(AccountsService).get(uid), '123456')).toBe(false);
  });
});
