import supertest from 'supertest';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { TotpService } from '../../src/modules/accounts/totp.service';
import { CHALLENGE_RULES } from '../../src/modules/challenges/challenge-limits';
import { createAccount, TestAccount, uniqueIp, uniquePhone } from '../support/factories';
import { csrfOf } from '../support/html';
import { Inbox } from '../support/inbox';
import { extractCode } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

/** "Try another way" on /login/verify, as a browser without script posts it. */
describe('Try another way: the sign-in pages', () => {
  let t: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  type Browser = supertest.Agent;
  const browser = (language = 'en'): Browser =>
    supertest.agent(t.app.getHttpServer()).set('Accept', 'text/html').set('Accept-Language', language).set('X-Forwarded-For', uniqueIp());
  const submit = async (client: Browser, from: string, action: string, fields: Record<string, string> = {}) => {
    const page = await client.get(from).expect(200);
    return client
      .post(action)
      .type('form')
      .send({ _csrf: csrfOf(page.text), ...fields });
  };
  const seeOther = (response: supertest.Response, location: string) => {
    expect([response.status, response.headers.location]).toEqual([303, location]);
    return response;
  };
  const anotherWayError = (html: string) => /<p class="field-error" id="another-way-error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];

  async function withPhoneAndApp(): Promise<{ account: TestAccount; recoveryCodes: string[] }> {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const recoveryCodes = await t.dataSource.transaction(async (manager) => {
      await t.get(AccountsService).setTotpSecret(manager, account.uid, t.get(TotpService).newSecret());
      return t.get(TotpService).issueRecoveryCodes(manager, account.uid);
    });
    return { account, recoveryCodes };
  }

  /** Login and password: /login/verify, by SMS. */
  async function pending(account: TestAccount, client = browser()): Promise<Browser> {
    await client.get('/login').expect(200);
    await inbox.codeAfter(account.securePhone!, 'sign-in-code', async () =>
      seeOther(await submit(client, '/login', '/login', { login: account.logonEmail, password: account.password }), '/login/verify'),
    );
    return client;
  }

  it('lists the other ways, switches to email without losing the sign-in, and signs in with the emailed code', async () => {
    const { account } = await withPhoneAndApp();
    const client = await pending(account);
    const page = await client.get('/login/verify').expect(200);
    const buttons = [
      ...page.text.matchAll(/<button type="submit" class="btn btn-secondary" aria-describedby="another-way-intro">([^<]*)</g),
    ];
    expect(buttons.map((match) => match[1])).toEqual([
      'Use a code from your authenticator app',
      'Use a recovery code',
      'Email a code to your logon email',
    ]);

    const { result, code } = await inbox.codeAfter(account.logonEmail, 'sign-in-code', () =>
      submit(client, '/login/verify', '/login/verify/method', { method: 'email' }),
    );
    seeOther(result, '/login/verify');
    const byEmail = await client.get('/login/verify').expect(200);
    expect(byEmail.text).toContain(`We sent a code by email to <strong>${account.logonEmail[0]}***@example.com</strong>`);
    expect(byEmail.text).toContain('Text a code to your secure phone');
    seeOther(await submit(client, '/login/verify', '/login/verify', { code }), '/security');
  });

  it('takes a recovery code on its own form, and keeps that form after a wrong one', async () => {
    const { account, recoveryCodes } = await withPhoneAndApp();
    const client = await pending(account);
    seeOther(
      await submit(client, '/login/verify', '/login/verify/method', { method: 'totp', use: 'recovery-code', next: '/security/sessions' }),
      '/login/verify?use=recovery-code&next=%2Fsecurity%2Fsessions',
    );
    const from = '/login/verify?use=recovery-code&next=%2Fsecurity%2Fsessions';
    const page = await client.get(from).expect(200);
    expect(page.text).toContain('<label for="code">Recovery code</label>');
    expect(page.text).toContain('action="/login/verify?use&#x3D;recovery-code"');

    const wrong = await submit(client, from, '/login/verify?use=recovery-code', { code: 'AAAAA-AAAAA', next: '/security/sessions' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('<label for="code">Recovery code</label>');
    expect(wrong.text).toContain('The code is not correct. 4 attempts left.');

    // The app's code again is one click away, without a new challenge.
    seeOther(await submit(client, from, '/login/verify/method', { method: 'totp' }), '/login/verify');
    expect((await client.get('/login/verify').expect(200)).text).toContain('<label for="code">Code from your authenticator app</label>');

    seeOther(
      await submit(client, from, '/login/verify?use=recovery-code', { code: recoveryCodes[5], next: '/security/sessions' }),
      '/security/sessions',
    );
  });

  it('shows why a switch is refused, on the page, with the sign-in still going', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const client = await pending(account);

    const passkey = await submit(client, '/login/verify', '/login/verify/method', { method: 'passkey' });
    expect(passkey.status).toBe(400);
    expect(anotherWayError(passkey.text)).toBe('Your account cannot verify that way. Choose one of the ways listed.');
    expect(passkey.text).toContain('<details class="another-way" open>');
    const bogus = await submit(client, '/login/verify', '/login/verify/method', { method: 'pigeon' });
    expect([bogus.status, anotherWayError(bogus.text)]).toEqual([400, 'Choose one of the ways listed.']);

    // Each switch to email or back to SMS sends a code, counted like any other.
    for (let send = 2; send <= CHALLENGE_RULES.accountSendsPerHour; send += 1)
      seeOther(
        await submit(client, '/login/verify', '/login/verify/method', { method: send % 2 === 0 ? 'email' : 'sms' }),
        '/login/verify',
      );
    const limited = await submit(client, '/login/verify', '/login/verify/method', { method: 'sms' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(anotherWayError(limited.text)).toMatch(/^Too many codes were sent to this account in the last hour/);

    // The fifth email is the one of the switch that stood: the page still takes its code.
    const code = extractCode((await inbox.nth(account.logonEmail, 'sign-in-code', 5)).text);
    seeOther(await submit(client, '/login/verify', '/login/verify', { code }), '/security');
  });

  it('speaks the page’s language, and sends a lost sign-in back to /login', async () => {
    const { account } = await withPhoneAndApp();
    const client = await pending(account, browser('zh-CN'));
    const page = await client.get('/login/verify').expect(200);
    expect(page.text).toContain('<summary>尝试其他方式</summary>');
    expect(page.text).toContain('使用恢复码');

    const stranger = browser();
    await stranger.get('/login').expect(200);
    const lost = await submit(stranger, '/login', '/login/verify/method', { method: 'email' });
    seeOther(lost, '/login');
  });
});
