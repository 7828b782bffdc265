import { RECOVERY_LIMITS } from '../../src/modules/accounts/recovery/recovery-limits';
import { AuditService } from '../../src/modules/audit/audit.service';
import { api, createAccount, uniqueIp, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';

describe('Logon email reminders (forgotten logon email)', () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  const remind = (securePhone: string, ip = uniqueIp()) =>
    api(t).post('/api/v1/logon-email-reminders').set('X-Forwarded-For', ip).send({ securePhone });
  /** Outbox rows for `recipient`: written in the request's transaction, so counted at once. */
  const outboxCount = async (recipient: string) =>
    Number(
      (
        (await t.dataSource.query(
          `SELECT count(*)::int AS n FROM notifications WHERE template = 'logon-email-reminder' AND recipient = $1`,
          [recipient],
        )) as { n: number }[]
      )[0].n,
    );

  it('sends each account with the phone an SMS with its masked logon email and its UID, and nothing for a phone no account has; the answers are identical', async () => {
    const phone = uniquePhone();
    const nobodys = uniquePhone();
    const first = await createAccount(t, { securePhone: phone, logonEmail: `ada.lovelace-${Date.now()}@example.com` });
    const second = await createAccount(t, { securePhone: phone, locale: 'zh-CN' });

    const unknown = await remind(nobodys).expect(202);
    const known = await remind(phone).expect(202);
    expect(known.body).toEqual({});
    expect(unknown.body).toEqual(known.body);
    expect(unknown.headers['content-type']).toBe(known.headers['content-type']);

    const messages = await inbox.nth(phone, 'logon-email-reminder', 2).then(() => inbox.received(phone, 'logon-email-reminder'));
    const forFirst = messages.find((message) => message.text.includes(first.uid));
    const forSecond = messages.find((message) => message.text.includes(second.uid));
    expect(forFirst?.text).toContain(`a***@example.com`);
    expect(forFirst?.text).not.toContain(first.logonEmail);
    expect(forSecond?.text).toContain(`${second.logonEmail[0]}***@example.com`);
    expect(forSecond?.text).toContain('登录邮箱');
    // The SMS for the known phone arrived after the request for the unknown one was answered: nothing went there.
    expect(inbox.received(nobodys)).toEqual([]);
    expect(await outboxCount(nobodys)).toBe(0);
    expect(await outboxCount(phone)).toBe(2);

    const { events } = await t.get(AuditService).list({ subject: { type: 'account', id: first.uid } });
    expect(events.find((event) => event.action === 'recovery.logon_email_reminded')?.data).toMatchObject({
      phone: expect.stringMatching(/^\+86 139\*+\d{4}$/),
    });
  });

  it(`counts reminders per phone and per IP alike, whether or not an account has the phone (429 RATE_LIMITED)`, async () => {
    const phone = uniquePhone();
    await createAccount(t, { securePhone: phone });
    for (const securePhone of [phone, uniquePhone()]) {
      for (let i = 0; i < RECOVERY_LIMITS.remindersPerPhonePerHour; i += 1) await remind(securePhone).expect(202);
      const refused = await remind(securePhone).expect(429);
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3000);
    }
    expect(await outboxCount(phone)).toBe(RECOVERY_LIMITS.remindersPerPhonePerHour);

    const ip = uniqueIp();
    for (let i = 0; i < RECOVERY_LIMITS.remindersPerIpPerHour; i += 1) await remind(uniquePhone(), ip).expect(202);
    expect((await remind(uniquePhone(), ip).expect(429)).body.code).toBe('RATE_LIMITED');
  });

  it('serves /recover/email behind CSRF: a forged post sends nothing', async () => {
    const phone = uniquePhone();
    await createAccount(t, { securePhone: phone });
    await api(t).post('/recover/email').type('form').send({ securePhone: phone }).expect(403);
    expect(await outboxCount(phone)).toBe(0);
  });

  it('refuses a phone that is not E.164 (400 VALIDATION_FAILED)', async () => {
    for (const securePhone of ['13812345678', '+86 138 1234 5678', 42]) {
      const refused = await api(t).post('/api/v1/logon-email-reminders').send({ securePhone }).expect(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'securePhone' })] });
    }
  });
});
