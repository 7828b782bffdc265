import supertest from 'supertest';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { csrfOf, fieldError, unescapeHtml } from '../support/html';
import { flashOf } from '../support/agent-pages';
import {
  api,
  bearer,
  controlClock,
  createAccount,
  createRamUser,
  signIn,
  TestAccount,
  uniqueEmail,
  uniqueIp,
  uniquePhone,
} from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { totpCode } from '../support/verification';

/** A browser as supertest plays it: a cookie jar, pages asked for as HTML, one client address of its own. */
type Browser = supertest.Agent;

describe('Account Center pages', () => {
  let t: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  const browser = (): Browser => supertest.agent(t.app.getHttpServer()).set('Accept', 'text/html').set('X-Forwarded-For', uniqueIp());
  /** Posts a form the way the page at `from` would: its CSRF token, form encoding. */
  const submit = async (client: Browser, from: string, action: string, fields: Record<string, string> = {}) => {
    const page = await client.get(from).expect(200);
    return client
      .post(action)
      .type('form')
      .send({ _csrf: csrfOf(page.text), ...fields });
  };
  /** A 303 (to `location`, when given). */
  const seeOther = (response: supertest.Response, location?: string) => {
    expect([response.status, location === undefined ? undefined : response.headers.location]).toEqual([303, location]);
    return response;
  };
  const owner = (options: { phone?: boolean } = {}) =>
    createAccount(t, { securePhone: options.phone === false ? undefined : uniquePhone() });

  /** Signs in through /login and the SMS code of /login/verify (every new browser is an unfamiliar device). */
  async function signInPages(account: TestAccount, client = browser()): Promise<Browser> {
    await client.get('/login').expect(200);
    const { result, code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
      submit(client, '/login', '/login', { login: account.logonEmail, password: account.password }),
    );
    expect(result.status).toBe(303);
    seeOther(await submit(client, '/login/verify', '/login/verify', { code }), '/security');
    return client;
  }

  /** Verifies the identity for `purpose` by SMS through /security/verify; leaves the browser on the change's page. */
  async function verifyBySms(client: Browser, account: TestAccount, purpose: string): Promise<string> {
    const { result, code } = await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
      submit(client, `/security/verify?purpose=${purpose}`, '/security/verify', { purpose, method: 'sms' }),
    );
    expect(result.status).toBe(303);
    const codePage = result.headers.location as string;
    const id = /[?&]id=([0-9a-f-]{36})/.exec(codePage)![1];
    const verified = seeOther(await submit(client, codePage, '/security/verify/code', { purpose, id, code }));
    return verified.headers.location as string;
  }

  describe('sign-in', () => {
    it('sends a visitor of a signed-in page to /login with the page as `next`, and back there after signing in', async () => {
      const account = await owner();
      const client = browser();
      await client.get('/security/sessions').expect(303).expect('Location', '/login?next=%2Fsecurity%2Fsessions');
      await client.get('/security').expect(303).expect('Location', '/login');
      const form = await client.get('/login?next=%2Fsecurity%2Fsessions').expect(200);
      expect(form.text).toContain('<input type="hidden" name="next" value="/security/sessions">');
      expect(form.text).toContain('href="/recover/password">Forgot password</a>');
      expect(form.text).toContain('href="/recover/email">Forgot logon email</a>');
      expect(form.text).toContain('href="/appeal">Can\'t verify? File an appeal</a>');
      const device = (form.headers['set-cookie'] as unknown as string[]).find((cookie) => cookie.startsWith('ac_device='));
      expect(device).toMatch(/HttpOnly/);

      const { result } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
        submit(client, '/login?next=%2Fsecurity%2Fsessions', '/login', {
          login: account.logonEmail,
          password: account.password,
          next: '/security/sessions',
        }),
      );
      expect(result.status).toBe(303);
      expect(result.headers.location).toBe('/login/verify?next=%2Fsecurity%2Fsessions');
      const verify = await client.get('/login/verify?next=%2Fsecurity%2Fsessions').expect(200);
      const masked = `+86 139****${account.securePhone!.slice(-4)}`;
      expect(verify.text).toContain(`We sent a code by text message to <strong>${masked}</strong>`);
      expect(verify.text).toMatch(/You can ask for a new code at \d\d:\d\d:\d\d UTC \(in \d+ seconds\)/);
      expect(verify.text).toMatch(
        /<button type="submit" class="btn btn-secondary" disabled aria-describedby="resend-hint">Send a new code<\/button>/,
      );

      const wrong = await submit(client, '/login/verify', '/login/verify', { code: '000000', next: '/security/sessions' });
      expect(wrong.status).toBe(400);
      expect(fieldError(wrong.text, 'code')).toBe('The code is not correct. 4 attempts left.');
      expect(wrong.text).not.toContain('value="000000"');

      const early = await submit(client, '/login/verify', '/login/verify/resend', {});
      expect(early.status).toBe(429);
      expect(early.headers['retry-after']).toMatch(/^\d+$/);
      expect(fieldError(early.text, 'code')).toMatch(/^Wait \d+ seconds before asking for another code\.$/);

      const code = await inbox.sms.codeFor(account.securePhone!, 'sign-in-code');
      const done = seeOther(
        await submit(client, '/login/verify', '/login/verify', { code, next: '/security/sessions' }),
        '/security/sessions',
      );
      const session = (done.headers['set-cookie'] as unknown as string[]).find((cookie) => cookie.startsWith('ac_session='))!;
      expect(session).toMatch(/HttpOnly/);
      expect(session).toMatch(/SameSite=Lax/);
      expect(session).not.toMatch(/Secure/);
      await client.get('/security/sessions').expect(200);
      // Signed in already: /login goes on to `next`.
      await client.get('/login?next=%2Fsecurity%2Ftotp').expect(303).expect('Location', '/security/totp');

      // The device is trusted now: the next sign-in from this browser needs no code.
      seeOther(await submit(client, '/security', '/logout'), '/login');
      expect(flashOf((await client.get('/login').expect(200)).text)).toBe('You have signed out.');
      seeOther(await submit(client, '/login', '/login', { login: account.logonEmail, password: account.password }), '/security');
    });

    it('asks an account with an authenticator app and no phone for its code, with nothing to resend', async () => {
      const account = await owner({ phone: false });
      const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
      await t.dataSource.transaction((manager) => t.get(AccountsService).setTotpSecret(manager, account.uid, secret));
      const client = browser();
      await client.get('/login').expect(200);
      seeOther(await submit(client, '/login', '/login', { login: account.logonEmail, password: account.password }), '/login/verify');
      const page = await client.get('/login/verify').expect(200);
      expect(page.text).toContain('Enter a code from your authenticator app.');
      expect(page.text).toContain('<label for="code">Code from your authenticator app</label>');
      expect(page.text).not.toContain('Send a new code');
      seeOther(await submit(client, '/login/verify', '/login/verify', { code: await totpCode(t, secret) }), '/security');
    });

    it('only follows `next` to paths of this site', async () => {
      const account = await owner();
      const client = await signInPages(account);
      for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'security']) {
        await client
          .get(`/login?next=${encodeURIComponent(next)}`)
          .expect(303)
          .expect('Location', '/security');
      }
      const fresh = browser();
      const form = await fresh.get('/login?next=%2F%2Fevil.example').expect(200);
      expect(form.text).not.toContain('name="next"');
    });

    it('shows what went wrong beside the field, keeps the login and never the password', async () => {
      const account = await owner();
      const client = browser();
      const empty = await submit(client, '/login', '/login', { login: ' ', password: '' });
      expect(empty.status).toBe(400);
      expect(fieldError(empty.text, 'login')).toBe('Enter your logon email, or <name>@<UID> for a RAM user.');
      expect(fieldError(empty.text, 'password')).toBe('Enter your password.');

      const wrong = await submit(client, '/login', '/login', { login: account.logonEmail, password: 'not the password at all' });
      expect(wrong.status).toBe(401);
      expect(fieldError(wrong.text, 'password')).toBe('The login or password is not correct.');
      expect(wrong.text).toContain(`value="${account.logonEmail}"`);
      expect(wrong.text).not.toContain('not the password at all');
      expect(wrong.text).toContain(
        'id="password" name="password" autocomplete="current-password" required aria-invalid="true" aria-describedby="password-error"',
      );
    });

    it('explains a frozen account and links to the appeal form with the login filled in', async () => {
      const account = await owner();
      await t.dataSource.query(`UPDATE accounts SET status = 'frozen' WHERE uid = $1`, [account.uid]);
      const page = await submit(browser(), '/login', '/login', { login: account.logonEmail, password: account.password });
      expect(page.status).toBe(423);
      expect(page.text).toContain('<h1>Your account is frozen</h1>');
      expect(unescapeHtml(page.text)).toContain(`href="/appeal?login=${encodeURIComponent(account.logonEmail)}"`);
    });

    it('refuses every form posted without its CSRF token (403), before and after sign-in', async () => {
      const account = await owner();
      const client = browser();
      await client.get('/login').expect(200);
      const forged = await client.post('/login').type('form').send({ login: account.logonEmail, password: account.password });
      expect(forged.status).toBe(403);
      expect(forged.text).toContain('The form has expired');

      await signInPages(account, client);
      for (const path of [
        '/logout',
        '/security/verify',
        '/security/password',
        '/security/email',
        '/security/sessions/revoke-others',
        '/security/totp',
      ]) {
        expect([path, (await client.post(path).type('form').send({ purpose: 'change_email', method: 'email' })).status]).toEqual([
          path,
          403,
        ]);
      }
      // A token of another browser's session does not do either.
      const other = await signInPages(await owner());
      const foreign = csrfOf((await other.get('/security').expect(200)).text);
      expect((await client.post('/logout').type('form').send({ _csrf: foreign })).status).toBe(403);
      await client.get('/security').expect(200);
    });
  });

  describe('behind https', () => {
    it('marks the device, CSRF and session cookies Secure', async () => {
      const https = await createTestApp({ workers: false, env: { PUBLIC_BASE_URL: 'https://accounts.example.com' } });
      try {
        const account = await createAccount(https);
        const ram = await createRamUser(https, account.uid, 'secure-check');
        const client = supertest(https.app.getHttpServer());
        const form = await client.get('/login').set('Accept', 'text/html').expect(200);
        const setCookies = form.headers['set-cookie'] as unknown as string[];
        for (const name of ['ac_device', '__Host-ac_csrf', 'ac_presession']) {
          expect([name, setCookies.find((cookie) => cookie.startsWith(`${name}=`))]).toEqual([name, expect.stringMatching(/; Secure/)]);
        }
        // A browser sends Secure cookies back over https only; supertest speaks http, so they go by hand.
        const cookie = setCookies.map((line) => line.split(';')[0]).join('; ');
        const signedIn = await client
          .post('/login')
          .set('Cookie', cookie)
          .type('form')
          .send({ _csrf: csrfOf(form.text), login: ram.login, password: ram.password });
        seeOther(signedIn, '/security');
        const session = (signedIn.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('ac_session='));
        expect(session).toMatch(/; HttpOnly/);
        expect(session).toMatch(/; Secure/);
        expect(session).toMatch(/; SameSite=Lax/);
      } finally {
        await https.close();
      }
    });
  });

  describe('security settings', () => {
    it('shows the UID, password age, masked contacts and TOTP, each with Modify; RAM users only read it', async () => {
      const account = await owner();
      const client = await signInPages(account);
      const page = await client.get('/security').expect(200);
      expect(page.text).toContain(`<span class="mono">${account.uid}</span>`);
      expect(page.text).toContain(`${account.logonEmail[0]}***@example.com`);
      expect(page.text).not.toContain(`<dd>${account.logonEmail}</dd>`);
      expect(page.text).toContain(`+86 139****${account.securePhone!.slice(-4)}`);
      expect(page.text).toMatch(/Last changed \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(page.text).toContain('<span class="badge">Off</span>');
      for (const [what, href] of [
        ['logon password', '/security/verify?purpose=change_password'],
        ['logon email', '/security/verify?purpose=change_email'],
        ['secure phone', '/security/verify?purpose=change_phone'],
      ]) {
        expect(unescapeHtml(page.text)).toContain(`<a href="${href}" aria-label="Modify the ${what}">Modify</a>`);
      }
      // An authenticator app that is off is set up, not modified.
      expect(page.text).toContain('<a href="/security/totp" aria-label="Set up an authenticator app">Set up</a>');

      const ram = await createRamUser(t, account.uid, 'ops');
      const ramClient = browser();
      seeOther(await submit(ramClient, '/login', '/login', { login: ram.login, password: ram.password }), '/security');
      const ramPage = await ramClient.get('/security').expect(200);
      expect(ramPage.text).toContain('Only the account owner can change these settings.');
      expect(ramPage.text).not.toContain('>Modify</a>');
      const refused = await ramClient.get('/security/verify?purpose=change_password');
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('Only the account owner can do this');
    });

    it('offers only the methods the account has, and refuses an unknown purpose', async () => {
      const account = await owner({ phone: false });
      const client = browser();
      await client.get('/login').expect(200);
      const { result } = await inbox.codeAfter(account.logonEmail, 'sign-in-code', () =>
        submit(client, '/login', '/login', { login: account.logonEmail, password: account.password }),
      );
      expect(result.status).toBe(303);
      seeOther(
        await submit(client, '/login/verify', '/login/verify', { code: await inbox.smtp.codeFor(account.logonEmail, 'sign-in-code') }),
      );
      const verify = await client.get('/security/verify?purpose=change_password').expect(200);
      expect(verify.text).toContain('value="email" checked');
      expect(verify.text).not.toContain('value="sms"');
      expect(verify.text).not.toContain('value="totp"');
      const sms = await submit(client, '/security/verify?purpose=change_password', '/security/verify', {
        purpose: 'change_password',
        method: 'sms',
      });
      expect(sms.status).toBe(400);
      expect(fieldError(sms.text, 'method')).toBe('This account has no secure phone: choose another of its verification methods.');
      await client.get('/security/verify?purpose=root_everything').expect(400);
      // A change page without a verification sends you to verify first.
      await client.get('/security/password').expect(303).expect('Location', '/security/verify?purpose=change_password');
    });
  });

  describe('logon email', () => {
    it('verifies, takes the new email (errors beside it, typed value kept), confirms with the code sent to it', async () => {
      const account = await owner();
      const taken = await createAccount(t);
      const client = await signInPages(account);

      const wrongCodePage = await submit(client, '/security/verify?purpose=change_email', '/security/verify', {
        purpose: 'change_email',
        method: 'sms',
      });
      const codePage = unescapeHtml(wrongCodePage.headers.location as string);
      const id = /id=([0-9a-f-]{36})/.exec(codePage)![1];
      const wrong = await submit(client, codePage, '/security/verify/code', { purpose: 'change_email', id, code: '999999' });
      expect(wrong.status).toBe(400);
      expect(fieldError(wrong.text, 'code')).toBe('The code is not correct. 4 attempts left.');
      const code = await inbox.sms.codeFor(account.securePhone!, 'verification-code');
      seeOther(await submit(client, codePage, '/security/verify/code', { purpose: 'change_email', id, code }), '/security/email');

      const inUse = await submit(client, '/security/email', '/security/email', { newEmail: taken.logonEmail.toUpperCase() });
      expect(inUse.status).toBe(409);
      expect(fieldError(inUse.text, 'newEmail')).toBe('This email address is registered to another account.');
      expect(inUse.text).toContain(`value="${taken.logonEmail.toUpperCase()}"`);
      const invalid = await submit(client, '/security/email', '/security/email', { newEmail: 'not an email' });
      expect(invalid.status).toBe(400);
      expect(fieldError(invalid.text, 'newEmail')).toBe('Enter an email address such as lin@example.com.');

      const newEmail = uniqueEmail('moved');
      const { result } = await inbox.codeAfter(newEmail, 'email-change-code', () =>
        submit(client, '/security/email', '/security/email', { newEmail }),
      );
      expect(result.status).toBe(303);
      expect(result.headers.location).toBe('/security/email/confirm');
      // The verification is used up; /security/email now leads to the pending change.
      await client.get('/security/email').expect(303).expect('Location', '/security/email/confirm');
      const overview = await client.get('/security').expect(200);
      expect(overview.text).toContain('Changes waiting for a code');
      expect(overview.text).toContain(`${newEmail[0]}***@example.com`);

      const confirmPage = await client.get('/security/email/confirm').expect(200);
      expect(confirmPage.text).toContain(`to your new logon email <strong>${newEmail[0]}***@example.com</strong>`);
      const bad = await submit(client, '/security/email/confirm', '/security/email/confirm', { code: '000000' });
      expect(bad.status).toBe(400);
      expect(fieldError(bad.text, 'code')).toBe('The code is not correct. 4 attempts left.');
      const done = await submit(client, '/security/email/confirm', '/security/email/confirm', {
        code: await inbox.smtp.codeFor(newEmail, 'email-change-code'),
      });
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/security');
      const after = await client.get('/security').expect(200);
      expect(flashOf(after.text)).toBe(`Your logon email is now ${newEmail}. Sign in with it from now on.`);
      expect(after.text).not.toContain('Changes waiting for a code');
      await expect(t.get(AccountsService).get(account.uid)).resolves.toMatchObject({ logonEmail: newEmail });
    });

    it('cancels a pending change from the overview', async () => {
      const account = await owner();
      const client = await signInPages(account);
      expect(await verifyBySms(client, account, 'change_email')).toBe('/security/email');
      seeOther(await submit(client, '/security/email', '/security/email', { newEmail: uniqueEmail('never') }));
      seeOther(await submit(client, '/security', '/security/email/cancel'), '/security');
      const page = await client.get('/security').expect(200);
      expect(flashOf(page.text)).toBe('The change of your logon email was cancelled; nothing changed.');
      expect(page.text).not.toContain('Changes waiting for a code');
      await client.get('/security/email/confirm').expect(303).expect('Location', '/security');
    });
  });

  describe('secure phone', () => {
    it('takes a new phone with spaces, sends it a code and confirms', async () => {
      const account = await owner();
      const client = await signInPages(account);
      expect(await verifyBySms(client, account, 'change_phone')).toBe('/security/phone');
      const same = await submit(client, '/security/phone', '/security/phone', { newPhone: account.securePhone! });
      expect(same.status).toBe(422);
      expect(fieldError(same.text, 'newPhone')).toBe('This is already the secure phone of the account.');
      const newPhone = uniquePhone();
      const typed = `${newPhone.slice(0, 3)} ${newPhone.slice(3, 6)} ${newPhone.slice(6, 10)} ${newPhone.slice(10)}`;
      const { result, code } = await inbox.codeAfter(newPhone, 'phone-change-code', () =>
        submit(client, '/security/phone', '/security/phone', { newPhone: typed }),
      );
      expect(result.headers.location).toBe('/security/phone/confirm');
      seeOther(await submit(client, '/security/phone/confirm', '/security/phone/confirm', { code }), '/security');
      expect((await client.get('/security').expect(200)).text).toContain(`+86 139****${newPhone.slice(-4)}`);
    });
  });

  describe('password', () => {
    it('shows the policy beside the field, then changes the password and signs every session out', async () => {
      const account = await owner();
      const client = await signInPages(account);
      const apiToken = await signIn(t, account.logonEmail, account.password);
      expect(await verifyBySms(client, account, 'change_password')).toBe('/security/password');
      const mismatch = await submit(client, '/security/password', '/security/password', {
        newPassword: 'an entirely new passphrase 93',
        confirmPassword: 'an entirely new passphrase 39',
      });
      expect(mismatch.status).toBe(400);
      expect(fieldError(mismatch.text, 'confirmPassword')).toBe('The two passwords are not the same: type the new password again.');
      expect(mismatch.text).toContain('<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus');
      expect(mismatch.text).toContain('<a href="#confirmPassword">The two passwords are not the same: type the new password again.</a>');
      const weak = await submit(client, '/security/password', '/security/password', {
        newPassword: 'password',
        confirmPassword: 'password',
      });
      expect(weak.status).toBe(422);
      expect(fieldError(weak.text, 'newPassword')).toBe(
        'Use 12 to 128 characters. This password is on the list of commonly used passwords.',
      );
      expect(weak.text).not.toContain('value="password"');

      const done = await submit(client, '/security/password', '/security/password', {
        newPassword: 'an entirely new passphrase 93',
        confirmPassword: 'an entirely new passphrase 93',
      });
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/login');
      const login = await client.get('/login').expect(200);
      expect(flashOf(login.text)).toBe(
        'Your logon password was changed and you were signed out on every device. Sign in with your new password.',
      );
      await client.get('/security').expect(303);
      await api(t).get('/api/v1/account').set(bearer(apiToken)).expect(401);
      seeOther(
        await submit(client, '/login', '/login', { login: account.logonEmail, password: 'an entirely new passphrase 93' }),
        '/security',
      );
    });
  });

  describe('authenticator app', () => {
    it('sets up TOTP (QR and secret, first code, ten recovery codes once), then turns it off after verifying by TOTP', async () => {
      const account = await owner();
      const client = await signInPages(account);
      await client.get('/security/totp').expect(200);
      expect(await verifyBySms(client, account, 'enable_totp')).toBe('/security/totp');
      const ready = await client.get('/security/totp').expect(200);
      expect(ready.text).toContain('Create a set-up key');
      seeOther(await submit(client, '/security/totp', '/security/totp'), '/security/totp');
      const setup = await client.get('/security/totp').expect(200);
      expect(setup.text).toContain('<svg');
      const secret = /<code class="secret">([A-Z2-7]+)<\/code>/.exec(setup.text)![1];
      expect(unescapeHtml(setup.text)).toContain(`secret=${secret}`);

      const wrong = await submit(client, '/security/totp', '/security/totp/activate', { code: '000000' });
      expect(wrong.status).toBe(400);
      expect(fieldError(wrong.text, 'code')).toBe('The code is not correct. 4 attempts left.');
      const on = await submit(client, '/security/totp', '/security/totp/activate', { code: await totpCode(t, secret) });
      expect(on.status).toBe(200);
      const codes = [...on.text.matchAll(/<li><code>([A-Z2-7]{10})<\/code><\/li>/g)].map((match) => match[1]);
      expect(codes).toHaveLength(10);
      const overview = await client.get('/security').expect(200);
      expect(overview.text).toContain('<span class="badge badge-success">On</span> 10 of 10 recovery codes left');
      expect(overview.text).not.toContain(codes[0]);

      const verify = await submit(client, '/security/verify?purpose=disable_totp', '/security/verify', {
        purpose: 'disable_totp',
        method: 'totp',
      });
      const codePage = unescapeHtml(verify.headers.location as string);
      const id = /id=([0-9a-f-]{36})/.exec(codePage)![1];
      const codeForm = await client.get(codePage).expect(200);
      expect(codeForm.text).toContain('Code from your authenticator app');
      expect(codeForm.text).not.toContain('Send a new code');
      seeOther(await submit(client, codePage, '/security/verify/code', { purpose: 'disable_totp', id, code: codes[0] }), '/security/totp');
      seeOther(await submit(client, '/security/totp', '/security/totp/disable'), '/security');
      const off = await client.get('/security').expect(200);
      expect(flashOf(off.text)).toBe('Your authenticator app is turned off, with its recovery codes.');
      expect(off.text).toContain('<span class="badge">Off</span>');
    });
  });

  describe('resend', () => {
    it('sends a new code once the cooldown has passed, on the sign-in, the verification and the new email; the new code works', async () => {
      const clock = controlClock(t);
      const account = await owner();
      const client = browser();
      await client.get('/login').expect(200);
      // Each code is awaited before the next is asked for, so the newest message is the new code.
      await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
        submit(client, '/login', '/login', { login: account.logonEmail, password: account.password }),
      );
      clock.advance(61_000);
      const page = await client.get('/login/verify').expect(200);
      expect(page.text).toContain(
        '<button type="submit" class="btn btn-secondary" aria-describedby="resend-hint">Send a new code</button>',
      );
      const { result, code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
        submit(client, '/login/verify', '/login/verify/resend'),
      );
      seeOther(result, '/login/verify');
      expect(flashOf((await client.get('/login/verify').expect(200)).text)).toBe(
        'A new code is on its way; the one before no longer works.',
      );
      seeOther(await submit(client, '/login/verify', '/login/verify', { code }), '/security');

      const started = await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
        submit(client, '/security/verify?purpose=change_email', '/security/verify', { purpose: 'change_email', method: 'sms' }),
      );
      const codePage = started.result.headers.location as string;
      const id = /id=([0-9a-f-]{36})/.exec(codePage)![1];
      clock.advance(61_000);
      const again = await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
        submit(client, codePage, '/security/verify/resend', { purpose: 'change_email', id }),
      );
      seeOther(again.result, codePage);
      expect((await submit(client, codePage, '/security/verify/code', { purpose: 'change_email', id, code: started.code })).status).toBe(
        400,
      );
      seeOther(
        await submit(client, codePage, '/security/verify/code', { purpose: 'change_email', id, code: again.code }),
        '/security/email',
      );

      const newEmail = uniqueEmail('resent');
      await inbox.codeAfter(newEmail, 'email-change-code', () => submit(client, '/security/email', '/security/email', { newEmail }));
      clock.advance(61_000);
      const resent = await inbox.codeAfter(newEmail, 'email-change-code', () =>
        submit(client, '/security/email/confirm', '/security/email/resend'),
      );
      seeOther(resent.result, '/security/email/confirm');
      seeOther(await submit(client, '/security/email/confirm', '/security/email/confirm', { code: resent.code }), '/security');
      await expect(t.get(AccountsService).get(account.uid)).resolves.toMatchObject({ logonEmail: newEmail });
    });
  });

  describe('sessions and devices', () => {
    it('lists sessions with the current one marked, signs out one and all others, and forgets a trusted device', async () => {
      const account = await owner();
      const client = await signInPages(account);
      const second = await signIn(t, account.logonEmail, account.password);
      const third = await signIn(t, account.logonEmail, account.password);
      const page = await client.get('/security/sessions').expect(200);
      expect(page.text.match(/<li class="session current-session">/g)).toHaveLength(1);
      // Devices are named for people, with the network they were used from.
      expect(page.text).not.toContain('Mozilla/5.0');
      const revokable = [...page.text.matchAll(/action="\/security\/sessions\/([0-9a-f-]{36})\/revoke"/g)].map((match) => match[1]);
      expect(revokable).toHaveLength(2);
      const devices = [...page.text.matchAll(/action="\/security\/sessions\/devices\/([0-9a-f-]{36})\/forget"/g)].map((match) => match[1]);
      expect(devices.length).toBeGreaterThanOrEqual(2);

      seeOther(await submit(client, '/security/sessions', `/security/sessions/${revokable[0]}/revoke`), '/security/sessions');
      const alive = await Promise.all(
        [second, third].map(async (token) => (await api(t).get('/api/v1/account').set(bearer(token))).status),
      );
      expect(alive.sort()).toEqual([200, 401]);
      seeOther(await submit(client, '/security/sessions', '/security/sessions/revoke-others'));
      const after = await client.get('/security/sessions').expect(200);
      expect(flashOf(after.text)).toBe('1 other session was signed out.');
      expect(after.text).not.toContain('/revoke"');
      await api(t).get('/api/v1/account').set(bearer(second)).expect(401);
      await api(t).get('/api/v1/account').set(bearer(third)).expect(401);

      seeOther(await submit(client, '/security/sessions', `/security/sessions/devices/${devices[0]}/forget`));
      const forgotten = await client.get('/security/sessions').expect(200);
      expect(flashOf(forgotten.text)).toBe('The device was forgotten: signing in from it asks for a code again.');
      expect(forgotten.text).not.toContain(devices[0]);
      expect((await submit(client, '/security/sessions', `/security/sessions/devices/${devices[0]}/forget`)).status).toBe(404);
    });
  });
});
