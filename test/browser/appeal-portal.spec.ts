import { SecurityRevertsService } from '../../src/modules/accounts/changes/security-reverts.service';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { AppealPasswordResetsService } from '../../src/modules/appeals/appeal-password-resets.service';
import { createAgent, fileAppeal, PNG, versionOf } from '../support/appeals';
import { createAccount, uniqueEmail } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { unexpected, useBrowser } from './support/browser';

describe('Appeal pages in Chromium', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  const browser = useBrowser();

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, listen: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
  });

  afterAll(() => t?.close());

  it('lets a person file an appeal with a file, keep the token, and follow it on the status page', async () => {
    const owner = await createAccount(t);
    const contact = uniqueEmail('contact');
    const base = t.baseUrl!;
    const page = await browser.newPage();

    await page.goto(`${base}/appeal?login=${owner.uid}`);
    await expect(page.title()).resolves.toBe('Appeal to regain access · Account Center');
    await page.getByLabel('Contact email').fill(contact);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Send code' }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Enter the code');
    await page.getByLabel('Code', { exact: true }).fill(await smtp.codeFor(contact, 'appeal-contact-code'));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Your appeal', level: 1 }).waitFor();

    await expect(page.getByLabel('Account ID (UID)').inputValue()).resolves.toBe(owner.uid);
    await page.getByLabel(/the logon email$/).check();
    await page.getByLabel('Reset the password').check();
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.getByLabel('What happened').fill('My phone was stolen and my old mailbox was closed by my employer.');
    await page.getByLabel('Where you usually sign in from').fill('Hangzhou');
    await page.getByRole('button', { name: 'File appeal' }).click();
    await page.getByRole('heading', { name: 'Your appeal was filed' }).waitFor();
    await expect(page.getByText('Keep this reference and access token.').isVisible()).resolves.toBe(true);
    const reference = (await page.locator('#appeal-reference').textContent())!;
    expect(reference).toMatch(/^AP-[A-Z2-7]{10}$/);
    await expect(page.locator('#appeal-access-token').textContent()).resolves.toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The token can be copied (the script shows the button) and downloaded with the reference.
    await expect(page.getByRole('button', { name: 'Copy' }).isVisible()).resolves.toBe(true);
    const download = page.getByRole('link', { name: 'Download the reference and token' });
    await expect(download.getAttribute('download')).resolves.toBe(`${reference}.txt`);
    await expect(download.getAttribute('href')).resolves.toContain(encodeURIComponent(reference));

    await page.getByLabel('Add a file').setInputFiles({ name: 'passport.png', mimeType: 'image/png', buffer: PNG });
    await Promise.all([page.waitForURL(`${base}/appeal/uploads`), page.getByRole('button', { name: 'Upload' }).click()]);
    await expect(page.locator('main [role="status"]').first().textContent()).resolves.toContain('passport.png was added to your appeal.');

    await Promise.all([page.waitForURL(`${base}/appeal/status`), page.getByRole('link', { name: 'Done: go to the status page' }).click()]);
    await expect(page.title()).resolves.toBe(`Appeal ${reference} · Account Center`);
    await expect(page.locator('#appeal-status').textContent()).resolves.toBe('Submitted');
    // A timeline of the appeal's steps, and when to expect an answer.
    await expect(page.locator('.timeline li').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^Filed \d{4}-\d\d-\d\d \d\d:\d\d \S+$/),
      'In review',
      'Decided',
      'Done',
    ]);
    await expect(page.locator('.expected-answer').textContent()).resolves.toMatch(/^Expect our answer by \d{4}-\d\d-\d\d \d\d:\d\d \S+\.$/);
    await expect(page.getByText('passport.png').isVisible()).resolves.toBe(true);
    await page.getByLabel('Write to the support team').fill('I can also send a photo of my ID card.');
    await Promise.all([page.waitForURL(`${base}/appeal/status`), page.getByRole('button', { name: 'Send message' }).click()]);
    await expect(page.getByText('I can also send a photo of my ID card.').isVisible()).resolves.toBe(true);
    await expect(t.dataSource.getRepository(Appeal).findOneByOrFail({ reference })).resolves.toMatchObject({
      contactEmail: contact,
      claimedUid: owner.uid,
      changes: { logonEmail: contact, resetPassword: true },
    });

    expect(unexpected(browser.problems, base, [])).toEqual([]);
  });

  it('opens the objection, revert and reset links once, acting only on the button', async () => {
    const base = t.baseUrl!;
    const page = await browser.newPage();

    const owner = await createAccount(t);
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    const review = t.get(AppealReviewService);
    const [agent, supervisor] = [await createAgent(t, 'agent'), await createAgent(t, 'supervisor')];
    await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
    await review.approve(agent, filed.reference, await versionOf(t, agent, filed.reference), {
      rationale: 'Called back on the phone number of the invoice.',
    });
    await review.confirmApproval(supervisor, filed.reference, await versionOf(t, supervisor, filed.reference));
    const objection = /\/appeal\/object\/[A-Za-z0-9_-]{43}/.exec((await smtp.latest(owner.logonEmail, 'appeal-objection')).text)![0];
    await page.goto(`${base}${objection}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Stop a change to your account');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Stop this change' }).click()]);
    await page.getByRole('heading', { name: 'The change was stopped' }).waitFor();

    const other = await createAccount(t);
    const revert = new URL(
      await t.dataSource.transaction((manager) =>
        t.get(SecurityRevertsService).issue(manager, { accountUid: other.uid, kind: 'password', formerValue: null }),
      ),
    ).pathname;
    await page.goto(`${base}${revert}`);
    await expect(t.get(AccountsService).get(other.uid)).resolves.toMatchObject({ status: 'active' });
    await page.getByRole('button', { name: "This wasn't me: secure my account" }).click();
    await page.getByRole('heading', { name: 'Your account is secured' }).waitFor();
    await expect(t.get(AccountsService).get(other.uid)).resolves.toMatchObject({ status: 'frozen' });

    const reset = new URL(await t.dataSource.transaction((manager) => t.get(AppealPasswordResetsService).issue(manager, owner.uid, null)))
      .pathname;
    await page.goto(`${base}${reset}`);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Type the new password again').fill('short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page.locator('#newPassword-error').textContent()).resolves.toMatch(/12/);
    await expect(page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    expect(unexpected(browser.problems, base, [`422 POST ${reset}`])).toEqual([]);
    browser.problems.length = 0;
    await page.getByLabel('New password', { exact: true }).fill('amber orchard whistles softly 5163');
    await page.getByLabel('Type the new password again').fill('amber orchard whistles softly 5163');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { name: 'Your password was set' }).waitFor();

    expect(unexpected(browser.problems, base, [])).toEqual([]);
  });
});
