import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import supertest from 'supertest';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { AppealMaintenanceService } from '../../src/modules/appeals/appeal-maintenance.service';
import { AppealAttachmentPreview } from '../../src/modules/appeals/entities/appeal-attachment-preview.entity';
import { AppealAttachment } from '../../src/modules/appeals/entities/appeal-attachment.entity';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { AuditService } from '../../src/modules/audit/audit.service';
import { flashOf, pageVersion, postForm } from '../support/agent-pages';
import { createAgent, signInAgent, TestAgent } from '../support/agents';
import { fileAppeal, FiledAppeal, uploadAttachment } from '../support/appeals';
import { api, bearer, createAccount, signIn, TestAccount, uniqueEmail } from '../support/factories';
import { unescapeHtml } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

/** A made-up identity document: coloured blocks and text, different for each seed. */
function documentSvg(seed: number, width = 640, height = 400): Buffer {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  let shapes = '';
  for (let n = 0; n < 12; n += 1)
    shapes += `<rect x="${Math.floor(random() * width)}" y="${Math.floor(random() * height)}" width="${Math.floor(random() * 200 + 20)}" height="${Math.floor(random() * 120 + 20)}" fill="rgb(${Math.floor(random() * 255)},${Math.floor(random() * 255)},${Math.floor(random() * 255)})"/>`;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#eeeeee"/>${shapes}<text x="40" y="200" font-size="48">PASSPORT ${seed}</text></svg>`,
  );
}

describe('Evidence signals', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let agent: TestAgent;
  let client: supertest.Agent;
  let idPng: Buffer;

  beforeAll(async () => {
    // A threshold of 0: every score meets it, so only the signals ask for a rationale here.
    t = await createTestApp({
      smtp: true,
      env: { TRUST_PROXY: 'loopback', APPEAL_EVIDENCE_THRESHOLD: '0', EVIDENCE_RETENTION: '1h' },
    });
    ({ smtp } = t);
    agent = await createAgent(t, { name: 'Risa Agent' });
    client = await signInAgent(t, agent);
    idPng = await sharp(documentSvg(7)).png().toBuffer();
  });

  afterAll(() => t.close());

  const file = async (account?: TestAccount, options: { contactEmail?: string; ip?: string } = {}) => {
    const owner = account ?? (await createAccount(t));
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid, logonEmail: owner.logonEmail }, ...options });
    return { ...filed, owner };
  };
  const signals = async (filed: FiledAppeal) =>
    (await t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference })).riskSignals;
  const page = async (filed: FiledAppeal) => (await client.get(`/agent/appeals/${filed.reference}`).expect(200)).text;
  /** The text of the page's `data-risk` element for `signal`, tags stripped; undefined when there is none. */
  const riskText = (html: string, signal: string) => {
    const match = new RegExp(`<li data-risk="${signal}">([\\s\\S]*?)</li>`).exec(html);
    return match
      ? unescapeHtml(match[1].replace(/<[^>]+>/g, ''))
          .replace(/\s+/g, ' ')
          .trim()
      : undefined;
  };
  const upload = async (filed: FiledAppeal, content: Buffer, name: string) => {
    await uploadAttachment(t, filed, content, name).expect(201);
  };

  it('links two appeals for different accounts that carry the same PNG, the earlier one when the later uploads it', async () => {
    const first = await file();
    const second = await file();
    await upload(first, idPng, 'passport.png');
    expect((await signals(first)).duplicate_evidence).toBeUndefined();
    await upload(second, idPng, 'my-passport.png');

    expect(await signals(second)).toMatchObject({ duplicate_evidence: { appeals: [first.reference] } });
    expect(await signals(first)).toMatchObject({ duplicate_evidence: { appeals: [second.reference] } });
    const html = await page(second);
    expect(riskText(html, 'duplicate_evidence')).toMatch(/my-passport\.png is the same file \(SHA-256\) as passport\.png of AP-/);
    expect(html).toMatch(
      new RegExp(`<li data-risk="duplicate_evidence">[\\s\\S]*?<a class="mono" href="/agent/appeals/${first.reference}">`),
    );
  });

  it('finds a re-encoded, resized copy by its perceptual hash, but not another picture, a one-colour image or the same account', async () => {
    const original = await file();
    await upload(original, await sharp(documentSvg(21)).png().toBuffer(), 'licence.png');
    const nearCopy = await sharp(documentSvg(21))
      .png()
      .toBuffer()
      .then((png) => sharp(png).resize(560).jpeg({ quality: 55 }).toBuffer());
    const copier = await file();
    await upload(copier, nearCopy, 'licence-scan.jpg');
    expect(await signals(copier)).toMatchObject({ duplicate_evidence: { appeals: [original.reference] } });
    expect(riskText(await page(copier), 'duplicate_evidence')).toMatch(
      /licence-scan\.jpg is nearly the same image as licence\.png of AP-[A-Z2-7]{10} \(perceptual hash, \d of 64 bits differ\)/,
    );
    expect(await signals(original)).toMatchObject({ duplicate_evidence: { appeals: [copier.reference] } });

    const other = await file();
    await upload(other, await sharp(documentSvg(22)).png().toBuffer(), 'other.png');
    expect((await signals(other)).duplicate_evidence).toBeUndefined();

    const blank = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const blankA = await file();
    const blankB = await file();
    await upload(blankA, blank, 'blank.png');
    await upload(blankB, blank, 'blank.png');
    expect((await signals(blankB)).duplicate_evidence).toBeUndefined();

    // The same person again for the same account, with the same photo: not a duplicate of another account's appeal.
    const again = await file(original.owner);
    await upload(again, await sharp(documentSvg(21)).png().toBuffer(), 'licence.png');
    expect((await signals(again)).duplicate_evidence).toMatchObject({ appeals: [copier.reference] });
  });

  it('flags a JPEG whose EXIF names an editor, and a PDF whose producer does', async () => {
    const edited = await file();
    const jpeg = await sharp(documentSvg(31))
      .jpeg()
      .withExif({ IFD0: { Software: 'Adobe Photoshop 25.0 (Windows)' } })
      .toBuffer();
    await upload(edited, jpeg, 'id-card.jpg');
    expect(riskText(await page(edited), 'edited_image')).toMatch(/id-card\.jpg: its metadata \(Software\) names Photoshop/);

    const camera = await file();
    await upload(
      camera,
      await sharp(documentSvg(32))
        .jpeg()
        .withExif({ IFD0: { Software: 'G998BXXU5CWA1', Make: 'samsung' } })
        .toBuffer(),
      'photo.jpg',
    );
    expect((await signals(camera)).edited_image).toBeUndefined();

    const pdf = await PDFDocument.create();
    pdf.addPage([200, 200]);
    pdf.setProducer('Canva');
    const statement = await file();
    await upload(statement, Buffer.from(await pdf.save()), 'statement.pdf');
    expect(riskText(await page(statement), 'edited_image')).toMatch(/statement\.pdf: its producer names Canva/);
  });

  it('flags a disposable contact domain', async () => {
    const throwaway = await file(undefined, { contactEmail: `someone-${Date.now()}@mailinator.com` });
    expect(riskText(await page(throwaway), 'disposable_contact')).toMatch(/mailinator\.com gives out throw-away addresses/);
    const ordinary = await file();
    expect((await signals(ordinary)).disposable_contact).toBeUndefined();
  });

  it("flags a filer on a network the account's recent sign-ins never used", async () => {
    const owner = await createAccount(t);
    await signIn(t, owner.logonEmail, owner.password, { ip: '203.0.113.10' });
    const stranger = await file(owner, { ip: '198.18.7.20' });
    expect(riskText(await page(stranger), 'new_network')).toMatch(
      /Filed from 198\.18\.7\.0\/24; the account's sign-ins of the 90 days before came from 1 other network/,
    );

    const home = await createAccount(t);
    await signIn(t, home.logonEmail, home.password, { ip: '203.0.113.30' });
    const fromHome = await file(home, { ip: '203.0.113.99' });
    expect((await signals(fromHome)).new_network).toBeUndefined();
  });

  it('flags an appeal filed days after the logon email changed', async () => {
    const owner = await createAccount(t);
    await t.dataSource.transaction((manager) => t.get(AccountsService).setLogonEmail(manager, owner.uid, uniqueEmail('moved')));
    // Replaced two days ago (moving the app's clock would also end the agent's session).
    await t.dataSource.query(`UPDATE former_contacts SET replaced_at = now() - interval '2 days' WHERE account_uid = $1`, [owner.uid]);
    const filed = await file({ ...owner, logonEmail: (await t.get(AccountsService).get(owner.uid)).logonEmail });
    expect(riskText(await page(filed), 'recent_contact_change')).toMatch(/The logon email changed .* UTC, 2 days before the filing/);
  });

  it('flags a contact that filed for 3 accounts in 30 days, and the appeals it filed before', async () => {
    const contactEmail = uniqueEmail('filer');
    const one = await file(undefined, { contactEmail });
    const two = await file(undefined, { contactEmail });
    expect((await signals(two)).repeat_filer).toBeUndefined();
    const three = await file(undefined, { contactEmail });
    expect(await signals(three)).toMatchObject({ repeat_filer: { appeals: [one.reference, two.reference] } });
    expect(riskText(await page(one), 'repeat_filer')).toMatch(/filed appeals for 3 different accounts in the 30 days/);
  });

  it('shows the signals as queue badges, filters the queue by risk=, and refuses an unknown one', async () => {
    const flagged = await file(undefined, { contactEmail: `q-${Date.now()}@mailinator.com` });
    const plain = await file();
    const queue = (await client.get('/agent/appeals?risk=disposable_contact').expect(200)).text;
    expect(queue).toContain(`/agent/appeals/${flagged.reference}"`);
    expect(queue).not.toContain(`/agent/appeals/${plain.reference}"`);
    expect(queue).toMatch(/data-risk="disposable_contact"/);
    await client.get('/agent/appeals?risk=suspicious').expect(400);
  });

  it('asks for a rationale to approve an appeal with any signal (400 with the form), and approves with one', async () => {
    const clean = await file();
    const risky = await file(undefined, { contactEmail: `r-${Date.now()}@mailinator.com` });
    const act = async (filed: FiledAppeal, path: string, fields: Record<string, string> = {}) =>
      postForm(client, `/agent/appeals/${filed.reference}/${path}`, { version: await pageVersion(client, filed.reference), ...fields });
    for (const filed of [clean, risky]) expect((await act(filed, 'claim')).status).toBe(303);

    expect((await act(clean, 'approve')).status).toBe(303);

    const refused = await act(risky, 'approve');
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/The rationale is required: the appeal carries a risk signal \(disposable contact\)/);
    expect(refused.text).toMatch(/<textarea[^>]*name="rationale"[^>]*required/);
    expect((await t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: risky.reference })).status).toBe('in_review');

    const approved = await act(risky, 'approve', { rationale: 'Called the owner on the number in the billing records.' });
    expect(approved.status).toBe(303);
    const after = await client.get(`/agent/appeals/${risky.reference}`).expect(200);
    expect(flashOf(after.text)).toMatch(/Approved/);
  });

  it('shows thumbnails blurred, the clear one only after Show (audited as a view), and purges them with the attachment', async () => {
    const filed = await file();
    await upload(filed, await sharp(documentSvg(41)).png().toBuffer(), 'residence-permit.png');
    const [attachment] = await t.dataSource
      .getRepository(AppealAttachment)
      .findBy({ appealId: (await t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference })).id });
    const html = await page(filed);
    const blurredSrc = `/agent/appeals/${filed.reference}/attachments/${attachment.id}/preview`;
    expect(html).toContain(`<img src="${blurredSrc}"`);
    expect(html).not.toContain('data:image/jpeg');
    const blurred = await client.get(blurredSrc).expect(200).expect('Content-Type', 'image/jpeg');
    const stored = await t.dataSource.getRepository(AppealAttachmentPreview).findOneByOrFail({ attachmentId: attachment.id });
    expect(Buffer.compare(blurred.body as Buffer, stored.blurred)).toBe(0);
    expect(Buffer.compare(stored.blurred, stored.clear)).not.toBe(0);
    await api(t).get(blurredSrc).expect(303);

    const shown = await postForm(client, `/agent/appeals/${filed.reference}/attachments/${attachment.id}/show`);
    expect(shown.status).toBe(200);
    // Inline, on this response only (Handlebars escapes the `=` of base64 in the attribute, the browser reads it back).
    expect(unescapeHtml(shown.text).includes(`<img src="data:image/jpeg;base64,${stored.clear.toString('base64')}"`)).toBe(true);
    const views = (await t.get(AuditService).list({ subject: { type: 'appeal', id: filed.reference }, limit: 50 })).events.filter(
      (event) => event.action === 'appeal.attachment_viewed',
    );
    expect(views).toMatchObject([{ actorId: agent.id, data: { attachmentId: attachment.id, view: 'thumbnail' } }]);

    await api(t).post(`/api/v1/appeals/${filed.reference}/cancel`).set(bearer(filed.accessToken)).expect(200);
    // Closed longer than EVIDENCE_RETENTION (1 h here) ago.
    await t.dataSource.query(`UPDATE appeals SET closed_at = now() - interval '2 hours' WHERE reference = $1`, [filed.reference]);
    await t.get(AppealMaintenanceService).purgeEvidence();
    await expect(t.dataSource.getRepository(AppealAttachmentPreview).countBy({ attachmentId: attachment.id })).resolves.toBe(0);
    await client.get(blurredSrc).expect(404);
    expect(await page(filed)).not.toContain(blurredSrc);
  });
});
