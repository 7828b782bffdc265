import { CDPSession, Page } from 'playwright-core';
import { createAgent } from '../support/agents';
import { createAccount, TestAccount, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { BrowserSession, openBrowser, unexpected, useBrowser } from './support/browser';

/** A credential as the DevTools protocol's WebAuthn domain gives and takes it. */
interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/**
 * Chromium's virtual authenticator on `page` (DevTools protocol, WebAuthn domain): a platform
 * authenticator with resident keys and user verification that always succeeds.
 */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

describe('Passkeys in Chromium, with a virtual authenticator', () => {
  let t: TestApp;
  let inbox: Inbox;
  const browser = useBrowser();
  const others: BrowserSession[] = [];

  beforeAll(async () => {
    // Served on localhost: browsers refuse an IP address as RP ID.
    t = await createTestApp({ localhost: true, inbox: true });
    ({ inbox } = t);
  });

  afterAll(async () => {
    for (const other of others) await other.close();
    await t?.close();
  });

  const url = (path: string) => `${t.baseUrl}${path}`;

  async function signInWithPassword(page: Page, account: TestAccount): Promise<void> {
    await page.goto(url('/login'));
    await page.getByLabel('Logon email').fill(account.logonEmail);
    await page.getByLabel('Password', { exact: true }).fill(account.password);
    const { code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
      Promise.all([page.waitForURL(url('/login/verify')), page.getByRole('button', { name: 'Sign in', exact: true }).click()]),
    );
    await page.getByLabel('Verification code').fill(code);
    await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: 'Verify and sign in' }).click()]);
  }

  it('adds a passkey on /security, signs in with it on /login from a fresh browser, and verifies with it before a password change', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await browser.newPage();
    const first = await virtualAuthenticator(page);
    await page.goto(url('/login'));
    await expect(page.getByLabel('Logon email').getAttribute('autocomplete')).resolves.toBe('username webauthn');
    await signInWithPassword(page, account);

    // The Passkeys card, then the add flow behind an add_passkey verification (by SMS).
    await expect(page.getByRole('heading', { name: 'Passkeys' }).isVisible()).resolves.toBe(true);
    await Promise.all([page.waitForURL(url('/security/passkeys')), page.getByRole('link', { name: 'Manage passkeys' }).click()]);
    await Promise.all([
      page.waitForURL(/\/security\/verify\?purpose=add_passkey/),
      page.getByRole('link', { name: 'Add a passkey' }).click(),
    ]);
    const { code } = await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
      Promise.all([page.waitForURL(/&id=/), page.getByRole('button', { name: 'Continue' }).click()]),
    );
    await page.getByLabel('Verification code').fill(code);
    await Promise.all([page.waitForURL(url('/security/passkeys/new')), page.getByRole('button', { name: 'Verify', exact: true }).click()]);
    await page.getByLabel('Name').fill('Chromium laptop');
    await Promise.all([page.waitForURL(url('/security/passkeys')), page.getByRole('button', { name: 'Create passkey' }).click()]);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Passkey "Chromium laptop" added.');
    await expect(page.locator('.passkey strong').allTextContents()).resolves.toEqual(['Chromium laptop']);
    await inbox.latest(account.logonEmail, 'passkey-added');

    const { credentials } = (await first.cdp.send('WebAuthn.getCredentials', { authenticatorId: first.authenticatorId })) as {
      credentials: VirtualCredential[];
    };
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    // A fresh browser holding the same passkey signs in with it: no password, no code.
    const fresh = await openBrowser();
    others.push(fresh);
    const other = await fresh.newPage();
    const second = await virtualAuthenticator(other);
    await second.cdp.send('WebAuthn.addCredential', { authenticatorId: second.authenticatorId, credential: credentials[0] });
    await other.goto(url('/login'));
    await Promise.all([
      other.waitForURL(url('/security')),
      // The browser's autofill may already have answered the page's conditional request.
      other
        .getByRole('button', { name: 'Sign in with a passkey' })
        .click({ timeout: 5_000 })
        .catch(() => undefined),
    ]);
    await expect(other.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Security settings');
    expect(inbox.received(account.securePhone!, 'sign-in-code')).toHaveLength(1);

    // Before a password change: verify with the passkey.
    await Promise.all([
      other.waitForURL(/\/security\/verify\?purpose=change_password/),
      other.getByRole('link', { name: 'Modify the logon password' }).click(),
    ]);
    await other.getByLabel(/A passkey/).check();
    await Promise.all([other.waitForURL(/&id=/), other.getByRole('button', { name: 'Continue' }).click()]);
    await Promise.all([other.waitForURL(url('/security/password')), other.getByRole('button', { name: 'Use a passkey' }).click()]);
    await other.getByLabel('New logon password').fill('granite orchard whispers nightly');
    await other.getByLabel('Type the new password again').fill('granite orchard whispers nightly');
    await Promise.all([other.waitForURL(url('/login')), other.getByRole('button', { name: 'Change password' }).click()]);
    await inbox.latest(account.logonEmail, 'password-changed');

    expect(unexpected(browser.problems, t.baseUrl!, [])).toEqual([]);
    expect(unexpected(fresh.problems, t.baseUrl!, [])).toEqual([]);
  });

  it('renames and removes a passkey on /security/passkeys', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await browser.newPage();
    await virtualAuthenticator(page);
    await signInWithPassword(page, account);
    await page.goto(url('/security/passkeys'));
    await Promise.all([page.waitForURL(/purpose=add_passkey/), page.getByRole('link', { name: 'Add a passkey' }).click()]);
    await page.getByLabel(/Email to your logon email/).check();
    const { code } = await inbox.codeAfter(account.logonEmail, 'verification-code', () =>
      Promise.all([page.waitForURL(/&id=/), page.getByRole('button', { name: 'Continue' }).click()]),
    );
    await page.getByLabel('Verification code').fill(code);
    await Promise.all([page.waitForURL(url('/security/passkeys/new')), page.getByRole('button', { name: 'Verify', exact: true }).click()]);
    await Promise.all([page.waitForURL(url('/security/passkeys')), page.getByRole('button', { name: 'Create passkey' }).click()]);

    const current = (await page.locator('.passkey strong').allTextContents())[0];
    await page.getByLabel(`New name for ${current}`).fill('Desk');
    await Promise.all([page.waitForURL(url('/security/passkeys')), page.getByRole('button', { name: `Rename ${current}` }).click()]);
    await expect(page.locator('.passkey strong').allTextContents()).resolves.toEqual(['Desk']);

    // Removing asks for a remove_passkey verification; the passkey itself answers it.
    await Promise.all([page.waitForURL(/purpose=remove_passkey/), page.getByRole('link', { name: 'Remove a passkey' }).click()]);
    await page.getByLabel(/A passkey/).check();
    await Promise.all([page.waitForURL(/&id=/), page.getByRole('button', { name: 'Continue' }).click()]);
    await Promise.all([page.waitForURL(url('/security/passkeys')), page.getByRole('button', { name: 'Use a passkey' }).click()]);
    await Promise.all([page.waitForURL(url('/security/passkeys')), page.getByRole('button', { name: 'Remove Desk' }).click()]);
    await expect(page.locator('.passkey').count()).resolves.toBe(0);
    await inbox.latest(account.logonEmail, 'passkey-removed');
    expect(unexpected(browser.problems, t.baseUrl!, [])).toEqual([]);
  });

  it('lets an agent enrol a passkey on /agent/me and sign in with it as second factor', async () => {
    const agent = await createAgent(t, { role: 'agent' });
    const page = await browser.newPage();
    await virtualAuthenticator(page);
    const signInWithPassword = async () => {
      await page.goto(url('/agent/login'));
      await page.getByLabel('Email').fill(agent.email);
      await page.getByLabel('Password').fill(agent.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    };
    await signInWithPassword();
    await page.waitForURL(url('/agent'));
    await page.goto(url('/agent/me'));
    await Promise.all([page.waitForURL(url('/agent/me/passkeys/new')), page.getByRole('link', { name: 'Add a passkey' }).click()]);
    await page.getByLabel('Name').fill('Agent laptop');
    await Promise.all([page.waitForURL(url('/agent/me')), page.getByRole('button', { name: 'Create passkey' }).click()]);
    await expect(page.locator('.agent-passkey strong').allTextContents()).resolves.toEqual(['Agent laptop']);

    await Promise.all([page.waitForURL(url('/agent/login')), page.getByRole('button', { name: 'Sign out', exact: true }).click()]);
    // The right password now leads to the passkey step; the passkey completes the sign-in.
    await signInWithPassword();
    await page.waitForURL(url('/agent/login'));
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Use your passkey');
    await Promise.all([page.waitForURL(url('/agent')), page.getByRole('button', { name: 'Use a passkey' }).click()]);
    expect(unexpected(browser.problems, t.baseUrl!, [])).toEqual([]);
  });
});
