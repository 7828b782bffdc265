import supertest from 'supertest';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { SecurityRevertsService } from '../../src/modules/accounts/changes/security-reverts.service';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { AppealPasswordResetsService } from '../../src/modules/appeals/appeal-password-resets.service';
import { csrfOf, fieldError, unescapeHtml } from '../support/html';
import { createAgent, fileAppeal, FiledAppeal, HTML, PDF, PNG, versionOf } from '../support/appeals';
import { controlClock, createAccount, uniqueEmail, uniqueIp } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

const STRONG_PASSWORD = 'amber orchard whistles softly 5163';

describe('Appeal pages (public)', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let review: AppealReviewService;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback', VERIFICATION_RESEND_COOLDOWN: '1ms' } });
    ({ smtp } = t);
    review = t.get(AppealReviewService);
  });

  afterAll(() => t.close());

  /** A browser: its own cookie jar and address. */
  const browser = () => {
    const client = supertest.agent(t.app.getHttpServer());
    const ip = uniqueIp();
    return {
      client,
      get: (path: string) => client.get(path).set('Accept', 'text/html').set('X-Forwarded-For', ip),
      post: (path: string, fields: Record<string, string>) =>
        client.post(path).type('form').set('Accept', 'text/html').set('X-Forwarded-For', ip).send(fields),
      upload: (path: string, csrf: string, content: Buffer, filename: string) =>
        client
          .post(path)
          .set('Accept', 'text/html')
          .set('X-Forwarded-For', ip)
          .field('_csrf', csrf)
          .attach('file', content, { filename, contentType: 'application/octet-stream' }),
    };
  };
  type Browser = ReturnType<typeof browser>;
  const hidden = (html: string, name: string) =>
    unescapeHtml(new RegExp(`name="${name.replace('.', '\\.')}" value="([^"]*)"`).exec(html)?.[1] ?? '');
  const row = (reference: string) => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference });
  const codes = (email: string) => smtp.to(email).filter((message) => message.template === 'appeal-contact-code').length;

  /** Steps 1 and 2 in a browser: the code page, then the form; returns the form page. */
  async function throughCode(who: Browser, email: string, query = ''): Promise<string> {
    const start = await who.get(`/appeal${query}`).expect(200);
    const before = codes(email);
    const codePage = await who
      .post('/appeal', { _csrf: csrfOf(start.text), step: 'send-code', email, ...accountFields(start.text) })
      .expect(200);
    await smtp.waitForMessage(() => codes(email) > before, 10_000, 'the contact code');
    const code = await smtp.codeFor(email, 'appeal-contact-code');
    const details = await who
      .post('/appeal', {
        _csrf: csrfOf(codePage.text),
        step: 'check-code',
        email,
        'contactVerification.id': hidden(codePage.text, 'contactVerification.id'),
        'contactVerification.code': code,
        ...accountFields(codePage.text),
      })
      .expect(200);
    return details.text;
  }
  const accountFields = (html: string) =>
    Object.fromEntries(
      ['account.uid', 'account.logonEmail', 'account.securePhone'].map((name) => [name, hidden(html, name)]).filter(([, value]) => value),
    );
  const detailsFields = (html: string, fields: Record<string, string>) => ({
    _csrf: csrfOf(html),
    step: 'file',
    email: hidden(html, 'email'),
    'contactVerification.id': hidden(html, 'contactVerification.id'),
    'contactVerification.code': hidden(html, 'contactVerification.code'),
    'evidence.description': '',
    ...fields,
  });

  describe('/appeal', () => {
    it('prefills the account from the sign-in page link and verifies the contact email by code, with resend', async () => {
      const owner = await createAccount(t);
      const who = browser();
      const email = uniqueEmail('contact');
      const start = await who.get(`/appeal?login=${encodeURIComponent(owner.logonEmail)}`).expect(200);
      expect(start.headers['cache-control']).toBe('no-store');
      expect(hidden(start.text, 'account.logonEmail')).toBe(owner.logonEmail);
      expect(hidden((await browser().get(`/appeal?login=${owner.uid}`).expect(200)).text, 'account.uid')).toBe(owner.uid);

      const empty = await who.post('/appeal', { _csrf: csrfOf(start.text), step: 'send-code', email: '' }).expect(400);
      expect(fieldError(empty.text, 'email')).toBe('Enter the email address we should write to.');
      const invalid = await who.post('/appeal', { _csrf: csrfOf(start.text), step: 'send-code', email: 'not an address' }).expect(400);
      expect(fieldError(invalid.text, 'email')).not.toBe('');

      const codePage = await who
        .post('/appeal', { _csrf: csrfOf(start.text), step: 'send-code', email, 'account.logonEmail': owner.logonEmail })
        .expect(200);
      expect(codePage.text).toContain(`We sent a 6-digit code to <strong>${email}</strong>`);
      const id = hidden(codePage.text, 'contactVerification.id');
      const first = await smtp.codeFor(email, 'appeal-contact-code');

      const wrong = await who
        .post('/appeal', {
          _csrf: csrfOf(codePage.text),
          step: 'check-code',
          email,
          'contactVerification.id': id,
          'contactVerification.code': first === '000000' ? '111111' : '000000',
        })
        .expect(400);
      expect(fieldError(wrong.text, 'contactVerification-code')).toMatch(/attempt/i);

      const resent = await who
        .post('/appeal', { _csrf: csrfOf(codePage.text), step: 'resend-code', email, 'contactVerification.id': id })
        .expect(200);
      expect(resent.text).toContain('The one before no longer works.');
      await smtp.waitForMessage(() => codes(email) === 2, 10_000, 'the second contact code');
      const second = await smtp.codeFor(email, 'appeal-contact-code');
      await who
        .post('/appeal', {
          _csrf: csrfOf(resent.text),
          step: 'check-code',
          email,
          'contactVerification.id': id,
          'contactVerification.code': first,
        })
        .expect(400);
      const details = await who
        .post('/appeal', {
          _csrf: csrfOf(resent.text),
          step: 'check-code',
          email,
          'contactVerification.id': id,
          'contactVerification.code': second,
          'account.logonEmail': owner.logonEmail,
        })
        .expect(200);
      expect(details.text).toContain('<h1>Your appeal</h1>');
      expect(details.text).toContain(`value="${owner.logonEmail}"`);
      // The code travels in the form's body, never in an address.
      expect(details.text).not.toMatch(/action="[^"]*\?/);
    });

    it('shows the form errors beside their fields and keeps what was typed, then files and shows the token once', async () => {
      const owner = await createAccount(t);
      const who = browser();
      const email = uniqueEmail('contact');
      const form = await throughCode(who, email, `?uid=${owner.uid}`);
      expect(form).toContain(`value="${owner.uid}"`);

      const refused = await who
        .post(
          '/appeal',
          detailsFields(form, {
            'account.uid': owner.uid,
            'evidence.description': 'Lost my phone.',
            'evidence.lastPaymentAmount': 'lots',
            'changes.logonEmail': 'true',
          }),
        )
        .expect(400);
      expect(fieldError(refused.text, 'evidence-fullName')).toBe('Enter your full name.');
      // Worded for a person, not as the API's validation message.
      expect(fieldError(refused.text, 'evidence-lastPaymentAmount')).toBe('Enter an amount such as 129.90.');
      expect(refused.text).toContain('<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus');
      expect(refused.text).toContain('>Lost my phone.</textarea>');
      expect(refused.text).toMatch(/id="changes-logonEmail" name="changes\.logonEmail" value="true" checked/);

      const noChange = await who
        .post(
          '/appeal',
          detailsFields(refused.text, {
            'account.uid': owner.uid,
            'evidence.fullName': 'Ada Lovelace',
            'evidence.description': 'Lost my phone.',
          }),
        )
        .expect(400);
      expect(fieldError(noChange.text, 'changes')).toBe('Choose at least one thing to change.');

      const filed = await who
        .post(
          '/appeal',
          detailsFields(noChange.text, {
            'account.uid': owner.uid,
            'changes.logonEmail': 'true',
            'changes.resetPassword': 'true',
            'evidence.fullName': 'Ada Lovelace',
            'evidence.description': 'Lost my phone.',
            'evidence.resourceIds': 'i-bp1\ni-bp2',
            locale: 'zh-CN',
          }),
        )
        .expect(200);
      expect(filed.headers['cache-control']).toBe('no-store');
      expect(filed.text).toContain('Keep this reference and access token.');
      const reference = /id="appeal-reference">(AP-[A-Z2-7]{10})</.exec(filed.text)![1];
      const token = unescapeHtml(/id="appeal-access-token">([^<]+)</.exec(filed.text)![1]);
      const cookie = String(filed.headers['set-cookie']);
      expect(cookie).toMatch(/ac_appeal=AP-[^;]+; Max-Age=\d+; Path=\/appeal; Expires=[^;]+; HttpOnly; SameSite=Strict/);
      const appeal = await row(reference);
      expect(appeal).toMatchObject({
        contactEmail: email,
        locale: 'zh-CN',
        claimedUid: owner.uid,
        changes: { logonEmail: email, resetPassword: true },
      });
      expect(appeal.evidence.resourceIds).toEqual(['i-bp1', 'i-bp2']);
      await smtp.latest(email, 'appeal-received');

      // The token is not shown again: the status page opens from the cookie without it.
      const status = await who.get('/appeal/status').expect(200);
      expect(status.text).toContain(`Appeal <span class="mono">${reference}</span>`);
      expect(status.text).not.toContain(token);
    });

    it('takes the phones as people type them, each read in the country chosen beside it, and files them in E.164', async () => {
      const who = browser();
      const email = uniqueEmail('contact');
      const form = await throughCode(who, email);
      // Each phone has its country choice, on the page language's country by default.
      expect(form).toMatch(
        /<select id="account-securePhoneCountry" name="account\.securePhoneCountry"[^>]*>[^]*<option value="US" selected>/,
      );
      expect(form).toContain('<select id="changes-securePhoneCountry" name="changes.securePhoneCountry"');

      const refused = await who
        .post(
          '/appeal',
          detailsFields(form, {
            'account.securePhone': '139 1234',
            'account.securePhoneCountry': 'CN',
            'changes.disableTotp': 'true',
            'evidence.fullName': 'Ada Lovelace',
            'evidence.description': 'Lost my phone.',
          }),
        )
        .expect(400);
      expect(fieldError(refused.text, 'account-securePhone')).toBe(
        'Enter the former secure phone as a number of the chosen country, such as 139 1234 5678, or the full number starting with +.',
      );
      expect(refused.text).toContain('value="139 1234"');
      expect(refused.text).toMatch(/<select id="account-securePhoneCountry"[^>]*>[^]*?<option value="CN" selected>/);

      const filed = await who
        .post(
          '/appeal',
          detailsFields(refused.text, {
            'account.securePhone': '139 1234 5678',
            'account.securePhoneCountry': 'CN',
            'changes.securePhone': '+86 138 0013 8000',
            'changes.securePhoneCountry': 'US',
            'evidence.fullName': 'Ada Lovelace',
            'evidence.description': 'Lost my phone.',
          }),
        )
        .expect(200);
      const reference = /id="appeal-reference">(AP-[A-Z2-7]{10})</.exec(filed.text)![1];
      expect(await row(reference)).toMatchObject({ claimedPhone: '+8613912345678', changes: { securePhone: '+8613800138000' } });
    });

    it('words length limits and the error page in Chinese on a Chinese page', async () => {
      const who = browser();
      const form = await throughCode(who, uniqueEmail('contact'));
      const refused = await who
        .post(
          '/appeal',
          detailsFields(form, {
            'changes.disableTotp': 'true',
            'evidence.fullName': 'A'.repeat(201),
            'evidence.description': 'Lost my phone.',
          }),
        )
        .set('Accept-Language', 'zh-CN')
        .expect(400);
      expect(fieldError(refused.text, 'evidence-fullName')).toBe('最多 200 个字符。');

      const missing = await who.get('/nowhere').set('Accept-Language', 'zh-CN').expect(404);
      expect(missing.text).toContain('<h1>未找到</h1>');
    });

    it('takes files on step 3 and shows 413, 415 and the limit beside the field', async () => {
      const owner = await createAccount(t);
      const who = browser();
      const form = await throughCode(who, uniqueEmail('contact'));
      const filed = await who
        .post(
          '/appeal',
          detailsFields(form, {
            'account.uid': owner.uid,
            'changes.disableTotp': 'true',
            'evidence.fullName': 'Ada',
            'evidence.description': 'Lost it all.',
          }),
        )
        .expect(200);
      const csrf = csrfOf(filed.text);
      await who.upload('/appeal/uploads', 'forged', PNG, 'passport.png').expect(403);

      await who.upload('/appeal/uploads', csrf, PNG, 'passport.png').expect(303).expect('Location', '/appeal/uploads');
      const uploads = await who.get('/appeal/uploads').expect(200);
      expect(uploads.text).toContain('passport.png was added to your appeal.');
      expect(uploads.text).toContain('passport.png <span class="muted small">image/png');

      const html = await who.upload('/appeal/uploads', csrf, HTML, 'evil.pdf').expect(415);
      expect(fieldError(html.text, 'file')).toMatch(/not a JPEG, PNG or PDF/);
      const large = await who.upload('/appeal/uploads', csrf, Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]), 'big.pdf').expect(413);
      expect(fieldError(large.text, 'file')).toBe('The file is larger than 10 MB. Send a smaller scan or photo.');
      const none = await who.client.post('/appeal/uploads').set('Accept', 'text/html').field('_csrf', csrf).expect(400);
      expect(fieldError(none.text, 'file')).toBe('Choose a file (JPEG, PNG or PDF).');

      for (let n = 2; n <= 5; n += 1) await who.upload('/appeal/uploads', csrf, PDF, `invoice-${n}.pdf`).expect(303);
      const full = await who.upload('/appeal/uploads', csrf, PDF, 'invoice-6.pdf').expect(409);
      expect(fieldError(full.text, 'file')).toBe('This appeal already has 5 files, the most it can hold.');
      expect(full.text).not.toContain('enctype="multipart/form-data"');
    });

    it('writes in the language chosen on step 1 and keeps it for the form', async () => {
      const who = browser();
      const email = uniqueEmail('contact');
      const start = await who.get('/appeal').expect(200);
      const codePage = await who.post('/appeal', { _csrf: csrfOf(start.text), step: 'send-code', email, locale: 'zh-CN' }).expect(200);
      expect(hidden(codePage.text, 'locale')).toBe('zh-CN');
      const message = await smtp.latest(email, 'appeal-contact-code');
      expect(message.subject).toBe('您的账号中心申诉验证码');
      const details = await who
        .post('/appeal', {
          _csrf: csrfOf(codePage.text),
          step: 'check-code',
          email,
          locale: 'zh-CN',
          'contactVerification.id': hidden(codePage.text, 'contactVerification.id'),
          'contactVerification.code': await smtp.codeFor(email),
        })
        .expect(200);
      expect(details.text).toContain('<option value="zh-CN" selected>');
    });

    it('says beside the email field when too many codes were sent to it (429 with Retry-After)', async () => {
      const who = browser();
      const email = uniqueEmail('contact');
      const start = await who.get('/appeal').expect(200);
      for (let n = 1; n <= 5; n += 1) await who.post('/appeal', { _csrf: csrfOf(start.text), step: 'send-code', email }).expect(200);
      const limited = await who.post('/appeal', { _csrf: csrfOf(start.text), step: 'send-code', email }).expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(fieldError(limited.text, 'email')).toBe('Too many codes were sent. Try again later.');
      expect(limited.text).toContain(`value="${email}"`);
    });

    it('asks for a new code when the first expired while the form was filled, keeping what was typed', async () => {
      const owner = await createAccount(t);
      const who = browser();
      const email = uniqueEmail('contact');
      const form = await throughCode(who, email);
      const typed = {
        'account.uid': owner.uid,
        'changes.resetPassword': 'true',
        'evidence.fullName': 'Ada Lovelace',
        'evidence.description': 'A long story.',
      };
      controlClock(t).advance(11 * 60_000);

      const expired = await who.post('/appeal', detailsFields(form, typed)).expect(410);
      expect(fieldError(expired.text, 'contactVerification-code')).not.toBe('');
      expect(expired.text).toContain('>A long story.</textarea>');
      expect(expired.text).toContain('name="step" value="resend-code">Send a new code</button>');

      const { step: _file, ...kept } = detailsFields(expired.text, typed);
      const resent = await who.post('/appeal', { ...kept, step: 'resend-code', 'contactVerification.code': '' }).expect(200);
      expect(resent.text).toContain('The one before no longer works.');
      expect(resent.text).toContain('>A long story.</textarea>');
      await smtp.waitForMessage(() => codes(email) === 2, 10_000, 'the second contact code');
      const filed = await who
        .post('/appeal', {
          ...detailsFields(resent.text, typed),
          'contactVerification.code': await smtp.codeFor(email, 'appeal-contact-code'),
        })
        .expect(200);
      expect(filed.text).toContain('Your appeal was filed');
    });

    it('refuses every step without a valid CSRF token', async () => {
      const who = browser();
      const email = uniqueEmail('contact');
      await who.get('/appeal').expect(200);
      await who.post('/appeal', { step: 'send-code', email }).expect(403);
      await who.post('/appeal', { _csrf: 'forged', step: 'send-code', email }).expect(403);
      // A token from another browser does not pass either.
      const other = await browser().get('/appeal').expect(200);
      await who.post('/appeal', { _csrf: csrfOf(other.text), step: 'send-code', email }).expect(403);
      expect(codes(email)).toBe(0);
    });
  });

  describe('/appeal/status', () => {
    let filed: FiledAppeal;
    let who: Browser;

    beforeAll(async () => {
      const owner = await createAccount(t);
      filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
      who = browser();
    });

    it('opens with the reference and the access token, and says alike when either is wrong', async () => {
      const form = await who.get('/appeal/status').expect(200);
      expect(form.text).toContain('Lost your access token?');
      await who.post('/appeal/status', { reference: filed.reference, accessToken: filed.accessToken }).expect(403);
      const empty = await who.post('/appeal/status', { _csrf: csrfOf(form.text), reference: '', accessToken: '' }).expect(400);
      expect(fieldError(empty.text, 'reference')).not.toBe('');
      const wrongToken = await who
        .post('/appeal/status', { _csrf: csrfOf(form.text), reference: filed.reference, accessToken: 'x'.repeat(43) })
        .expect(404);
      const wrongReference = await who
        .post('/appeal/status', { _csrf: csrfOf(form.text), reference: 'AP-AAAAAAAAAA', accessToken: filed.accessToken })
        .expect(404);
      expect(fieldError(wrongToken.text, 'accessToken')).toBe(fieldError(wrongReference.text, 'accessToken'));

      await who
        .post('/appeal/status', { _csrf: csrfOf(form.text), reference: filed.reference.toLowerCase(), accessToken: filed.accessToken })
        .expect(303)
        .expect('Location', '/appeal/status');
      const page = await who.get('/appeal/status').expect(200);
      expect(page.text).toContain('data-status="submitted">Submitted</span>');
      expect(page.text).toContain(`<dt>New logon email</dt><dd>${filed.contactEmail}</dd>`);
    });

    it('shows the support team’s messages but never internal notes or agent names; a reply returns the appeal to review', async () => {
      const agent = await createAgent(t, 'agent', 'Priya Secretname');
      await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
      await review.addNote(agent, filed.reference, await versionOf(t, agent, filed.reference), {
        body: 'Internal: looks like a takeover attempt',
      });
      await review.requestInfo(agent, filed.reference, await versionOf(t, agent, filed.reference), {
        message: 'Which region do you sign in from?',
      });

      const page = await who.get('/appeal/status').expect(200);
      expect(page.text).toContain('data-status="awaiting_customer">Waiting for your answer</span>');
      expect(page.text).toContain('Support team');
      expect(page.text).toContain('Which region do you sign in from?');
      expect(page.text).not.toContain('Internal: looks like a takeover attempt');
      expect(page.text).not.toContain('Priya');

      await who.post('/appeal/status/messages', { body: 'Hangzhou.' }).expect(403);
      const empty = await who.post('/appeal/status/messages', { _csrf: csrfOf(page.text), body: '  ' }).expect(400);
      expect(fieldError(empty.text, 'body')).toBe('Write your message first.');
      await who.post('/appeal/status/messages', { _csrf: csrfOf(page.text), body: 'Hangzhou.' }).expect(303);
      const answered = await who.get('/appeal/status').expect(200);
      expect(answered.text).toContain('Your message was sent to the support team.');
      expect(answered.text).toContain('data-status="in_review"');
      expect(answered.text).toMatch(/<p class="meta">You · [^<]+<\/p><p class="pre-wrap">Hangzhou\.<\/p>/);
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'in_review' });
    });

    it('takes files while open and shows why one is refused', async () => {
      const page = await who.get('/appeal/status').expect(200);
      await who
        .upload('/appeal/status/attachments', csrfOf(page.text), PNG, 'id-card.png')
        .expect(303)
        .expect('Location', '/appeal/status');
      const after = await who.get('/appeal/status').expect(200);
      expect(after.text).toContain('id-card.png <span class="muted small">image/png');
      const refused = await who.upload('/appeal/status/attachments', csrfOf(after.text), HTML, 'x.png').expect(415);
      expect(fieldError(refused.text, 'file')).toMatch(/not a JPEG, PNG or PDF/);
    });

    it('cancels only after the confirmation, then explains the appeal is closed and offers no form', async () => {
      const page = await who.get('/appeal/status').expect(200);
      const confirm = await who.get('/appeal/status/cancel').expect(200);
      expect(confirm.text).toContain('<button type="submit" class="btn btn-danger">Cancel appeal</button>');
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'in_review' });
      await who.post('/appeal/status/cancel', {}).expect(403);
      await who.post('/appeal/status/cancel', { _csrf: csrfOf(page.text) }).expect(303);
      const closed = await who.get('/appeal/status').expect(200);
      expect(closed.text).toContain('data-status="cancelled">Cancelled</span>');
      expect(closed.text).toContain('This appeal is closed');
      expect(closed.text).not.toContain('action="/appeal/status/messages"');
      expect(closed.text).not.toContain('action="/appeal/status/attachments"');
      expect(closed.text).not.toContain('href="/appeal/status/cancel"');
      const late = await who.post('/appeal/status/messages', { _csrf: csrfOf(closed.text), body: 'Wait!' }).expect(409);
      expect(late.text).toMatch(/<div class="alert alert-error" role="alert">[^<]*closed[^<]*<\/div>/);
      await who.post('/appeal/status/cancel', { _csrf: csrfOf(closed.text) }).expect(409);
    });

    it('forgets the appeal in this browser on request, and sends those without credentials to the form', async () => {
      const page = await who.get('/appeal/status').expect(200);
      await who.post('/appeal/status/sign-out', { _csrf: csrfOf(page.text) }).expect(303);
      const form = await who.get('/appeal/status').expect(200);
      expect(form.text).toContain('<h1>Follow your appeal</h1>');
      await who
        .post('/appeal/status/messages', { _csrf: csrfOf(form.text), body: 'Hi' })
        .expect(303)
        .expect('Location', '/appeal/status');
      await who.get('/appeal/uploads').expect(303).expect('Location', '/appeal/status');
    });
  });

  describe('links from messages', () => {
    it('/appeal/object/:token shows what will be stopped, acts only on the POST, then is gone', async () => {
      const owner = await createAccount(t);
      const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
      const [agent, supervisor] = [await createAgent(t, 'agent'), await createAgent(t, 'supervisor')];
      await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
      await review.approve(agent, filed.reference, await versionOf(t, agent, filed.reference), { rationale: 'Called back.' });
      await review.confirmApproval(supervisor, filed.reference, await versionOf(t, supervisor, filed.reference));
      const token = /\/appeal\/object\/([A-Za-z0-9_-]{43})/.exec((await smtp.latest(owner.logonEmail, 'appeal-objection')).text)![1];

      // The person's status page shows when the change applies.
      const person = browser();
      const statusForm = await person.get('/appeal/status').expect(200);
      await person
        .post('/appeal/status', { _csrf: csrfOf(statusForm.text), reference: filed.reference, accessToken: filed.accessToken })
        .expect(303);
      const scheduled = await person.get('/appeal/status').expect(200);
      expect(scheduled.text).toContain('data-status="scheduled">Scheduled</span>');
      expect(scheduled.text).toMatch(/<dt>Change applied at<\/dt><dd>[^<]+<\/dd>/);

      const who = browser();
      for (let visit = 0; visit < 2; visit += 1) {
        const page = await who.get(`/appeal/object/${token}`).expect(200);
        expect(page.text).toContain(`${owner.uid.slice(0, 4)}********${owner.uid.slice(-4)}`);
        expect(page.text).toContain('<li>New logon email</li>');
        expect(page.text).toContain('<button type="submit" class="btn btn-danger">Stop this change</button>');
      }
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'scheduled' });
      await who.post(`/appeal/object/${token}`, {}).expect(403);
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'scheduled' });

      const page = await who.get(`/appeal/object/${token}`).expect(200);
      const done = await who.post(`/appeal/object/${token}`, { _csrf: csrfOf(page.text) }).expect(200);
      expect(done.text).toContain('The change was stopped');
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'objected' });
      const used = await who.get(`/appeal/object/${token}`).expect(404);
      expect(used.text).toContain('This objection link cannot be used');
      await who.post(`/appeal/object/${token}`, { _csrf: csrfOf(page.text) }).expect(404);
      await who.get(`/appeal/object/${'x'.repeat(43)}`).expect(404);
    });

    it('/secure/revert/:token explains, reverts and freezes only on the POST, then offers the appeal form', async () => {
      const owner = await createAccount(t);
      const accounts = t.get(AccountsService);
      const former = uniqueEmail('former');
      const url = await t.dataSource.transaction((manager) =>
        t.get(SecurityRevertsService).issue(manager, { accountUid: owner.uid, kind: 'logon_email', formerValue: former }),
      );
      const path = new URL(url).pathname;

      const who = browser();
      const page = await who.get(path).expect(200);
      expect(page.text).toContain(`the logon email goes back to <strong>${former[0]}***@example.com</strong>`);
      expect(page.text).toContain("This wasn't me: secure my account</button>");
      await who.get(path).expect(200);
      await expect(accounts.get(owner.uid)).resolves.toMatchObject({ status: 'active', logonEmail: owner.logonEmail });
      await who.post(path, {}).expect(403);
      await expect(accounts.get(owner.uid)).resolves.toMatchObject({ status: 'active' });

      const done = await who.post(path, { _csrf: csrfOf(page.text) }).expect(200);
      expect(done.text).toContain('Your account is secured');
      expect(unescapeHtml(done.text)).toContain(`href="/appeal?uid=${owner.uid}"`);
      await expect(accounts.get(owner.uid)).resolves.toMatchObject({ status: 'frozen', logonEmail: former });
      const used = await who.get(path).expect(404);
      expect(used.text).toContain('This link cannot be used');
    });

    it('/reset-password/:token shows the form, puts the policy’s reasons beside the field, sets the password once', async () => {
      const owner = await createAccount(t);
      const url = await t.dataSource.transaction((manager) => t.get(AppealPasswordResetsService).issue(manager, owner.uid, null));
      const path = new URL(url).pathname;
      const accounts = t.get(AccountsService);
      const before = (await accounts.get(owner.uid)).passwordChangedAt;

      const who = browser();
      const page = await who.get(path).expect(200);
      expect(page.text).toContain('name="newPassword"');
      expect(page.text).toContain(owner.uid);
      await who.post(path, { newPassword: STRONG_PASSWORD }).expect(403);
      const empty = await who.post(path, { _csrf: csrfOf(page.text), newPassword: '' }).expect(400);
      expect(empty.text).toContain('<p class="field-error" id="newPassword-error">Enter a new password.</p>');
      // The new password is typed twice: the page checks the second against the first.
      const mismatch = await who
        .post(path, { _csrf: csrfOf(page.text), newPassword: STRONG_PASSWORD, confirmPassword: `${STRONG_PASSWORD}x` })
        .expect(400);
      expect(mismatch.text).toContain('<p class="field-error" id="confirmPassword-error">The two passwords are not the same');
      const weak = await who.post(path, { _csrf: csrfOf(page.text), newPassword: 'short', confirmPassword: 'short' }).expect(422);
      expect(weak.text).toMatch(/<p class="field-error" id="newPassword-error">[^<]*12[^<]*<\/p>/);
      await expect(accounts.get(owner.uid)).resolves.toMatchObject({ passwordChangedAt: before });

      const done = await who
        .post(path, { _csrf: csrfOf(page.text), newPassword: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD })
        .expect(200);
      expect(done.text).toContain('Your password was set');
      await expect(accounts.get(owner.uid).then((account) => account.passwordChangedAt)).resolves.not.toEqual(before);
      await who.get(path).expect(404);
      await who.post(path, { _csrf: csrfOf(page.text), newPassword: `${STRONG_PASSWORD} again` }).expect(404);
    });
  });
});
