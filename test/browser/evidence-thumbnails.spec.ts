import sharp from 'sharp';
import { createAgent, TestAgent } from '../support/agents';
import { fileAppeal, uploadAttachment } from '../support/appeals';
import { createAccount } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { signInAgentPage, useBrowser } from './support/browser';

describe('Attachment thumbnails in Chromium', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  const browser = useBrowser();
  let agent: TestAgent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, listen: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    agent = await createAgent(t, { name: 'Tia Agent' });
  });

  afterAll(() => t?.close());

  it('shows a blurred thumbnail, reveals the clear one on Show, and the reveal is in the history', async () => {
    const account = await createAccount(t);
    const filed = await fileAppeal(t, smtp, { account: { uid: account.uid, logonEmail: account.logonEmail } });
    const document = await sharp(
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="300"><rect width="100%" height="100%" fill="#f4f1e8"/><rect x="20" y="20" width="120" height="150" fill="#7a8ca3"/><text x="170" y="90" font-size="36">IDENTITY CARD</text><text x="170" y="150" font-size="28">No. 4417 2290</text></svg>',
      ),
    )
      .png()
      .toBuffer();
    await uploadAttachment(t, filed, document, 'identity-card.png').expect(201);

    const page = await browser.newPage();
    await signInAgentPage(page, t.baseUrl!, agent);
    await page.goto(`${t.baseUrl}/agent/appeals/${filed.reference}`);
    const preview = page.locator('figure.attachment-preview');
    await expect(preview.getAttribute('data-preview')).resolves.toBe('blurred');
    const blurred = preview.getByRole('img', { name: 'identity-card.png, blurred thumbnail' });
    await expect(blurred.getAttribute('src')).resolves.toMatch(/\/attachments\/[0-9a-f-]{36}\/preview$/);
    // The blurred image really loaded (a broken one has no natural width).
    await expect(blurred.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).resolves.toBe(320);
    await expect(page.locator('table.audit').getByText('appeal.attachment_viewed').count()).resolves.toBe(0);

    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Show identity-card.png unblurred' }).click()]);
    const clear = page.getByRole('img', { name: 'identity-card.png, thumbnail', exact: true });
    await expect(clear.getAttribute('src')).resolves.toMatch(/^data:image\/jpeg;base64,/);
    await expect(clear.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).resolves.toBe(320);
    await expect(page.locator('figure.attachment-preview').getAttribute('data-preview')).resolves.toBe('clear');

    const row = page.locator('table.audit tbody tr', { hasText: 'appeal.attachment_viewed' });
    await expect(row.count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toMatch(/Tia Agent[\s\S]*identity-card\.png/);
    await expect(row.textContent()).resolves.toMatch(/thumbnail/);
  });
});
