import supertest from 'supertest';
import { appealActionForms, pageVersion, postForm } from '../support/agent-pages';
import { createAgent, signInAgent } from '../support/agents';
import { fileAppeal } from '../support/appeals';
import { createAccount } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

/** The appeal page's actions, one at a time: each form with fields folded under its name, open only when it came back refused. */
describe('Appeal page: folded actions', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let client: supertest.Agent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true });
    ({ smtp } = t);
    client = await signInAgent(t, await createAgent(t, { name: 'Fay Folder' }));
  });

  afterAll(() => t.close());

  /** Each fold of the page: its action, whether it is open, the summary's text, and what it holds. */
  const folds = (html: string) =>
    [
      ...html.matchAll(
        /<details class="appeal-action-fold"[^>]* data-action="(\w+)"( open)?>\s*<summary>([\s\S]*?)<\/summary>([\s\S]*?)<\/details>/g,
      ),
    ].map(([, action, open, summary, inner]) => ({ action, open: Boolean(open), summary: summary.replace(/<[^>]+>/g, '').trim(), inner }));

  it('folds every action form with fields under its name, none open, each keeping its CSRF token and version', async () => {
    // An unknown name and contact score below the threshold: approving needs a rationale.
    const filed = await fileAppeal(t, smtp, { account: { uid: (await createAccount(t)).uid } });
    await postForm(client, `/agent/appeals/${filed.reference}/claim`, { version: await pageVersion(client, filed.reference) });
    const html = (await client.get(`/agent/appeals/${filed.reference}`).expect(200)).text;
    const version = String(await pageVersion(client, filed.reference));

    const folded = folds(html);
    expect(folded.map(({ action, open, summary }) => [action, open, summary])).toEqual([
      ['note', false, 'Add note'],
      ['request_info', false, 'Request information'],
      ['approve', false, 'Approve rationale required'],
      ['reject', false, 'Reject'],
    ]);
    for (const fold of folded) {
      expect(fold.inner).toMatch(/<form method="post" action="\/agent\/appeals\/AP-[A-Z2-7]{10}\/[\w-]+"/);
      expect(fold.inner).toMatch(/name="_csrf" value="[^"]+"/);
      expect(fold.inner).toContain(`<input type="hidden" name="version" value="${version}">`);
    }
    // One-click actions stay buttons; every action is still a form of the page.
    const forms = appealActionForms(html, filed.reference);
    expect(forms.map((form) => form.button)).toEqual(['Claim', 'Release', 'Add note', 'Request information', 'Approve', 'Reject']);
    expect(forms.every((form) => form.hasCsrf && form.version === version)).toBe(true);
    expect(html).not.toMatch(/<details class="appeal-action-fold"[^>]*data-action="claim"/);
    // Said before submission: the approval needs a rationale, and why.
    const approve = folded.find((fold) => fold.action === 'approve')!.inner;
    expect(approve).toMatch(
      /<p class="alert alert-warning" id="approve-notice" role="note">This appeal cannot be approved without a rationale: the evidence score \d+ is below the threshold of 60\. Write why you approve it before you press Approve\.<\/p>/,
    );
    expect(folded.find((fold) => fold.action === 'note')!.inner).not.toContain('alert-warning');
  });

  it('opens the one form a validation error came back for, and only it', async () => {
    const filed = await fileAppeal(t, smtp, { account: { uid: (await createAccount(t)).uid } });
    await postForm(client, `/agent/appeals/${filed.reference}/claim`, { version: await pageVersion(client, filed.reference) });
    const refused = await postForm(client, `/agent/appeals/${filed.reference}/reject`, {
      version: await pageVersion(client, filed.reference),
      reason: 'Looks forged.',
      message: '',
    });
    expect(refused.status).toBe(400);
    expect(
      folds(refused.text)
        .filter((fold) => fold.open)
        .map((fold) => fold.action),
    ).toEqual(['reject']);
    expect(refused.text).toContain('<p class="field-error" id="reject-message-error">The message must not be empty.</p>');

    const approval = await postForm(client, `/agent/appeals/${filed.reference}/approve`, {
      version: await pageVersion(client, filed.reference),
      rationale: '',
    });
    expect(approval.status).toBe(400);
    expect(
      folds(approval.text)
        .filter((fold) => fold.open)
        .map((fold) => fold.action),
    ).toEqual(['approve']);

    const page = await client.get(`/agent/appeals/${filed.reference}`).expect(200);
    expect(folds(page.text).filter((fold) => fold.open)).toEqual([]);
  });
});
