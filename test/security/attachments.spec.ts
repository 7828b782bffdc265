import { createHash } from 'node:crypto';
import supertest from 'supertest';
import { AppealAttachment } from '../../src/modules/appeals/entities/appeal-attachment.entity';
import { AppealAttachmentContent } from '../../src/modules/appeals/entities/appeal-attachment-content.entity';
import { createAgent, signInAgent } from '../support/agents';
import { fileAppeal, FiledAppeal, HTML, PDF, PNG, uploadAttachment } from '../support/appeals';
import { createAccount } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * docs/security.md: an HTML file named .png, a PDF with a wrong type, a 10 MB + 1 byte file and a name
 * with ../ are refused or neutralised; downloads are `attachment` with `nosniff`.
 */
describe('Appeal attachments', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let filed: FiledAppeal;
  let agentClient: supertest.Agent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    const owner = await createAccount(t);
    filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    agentClient = await signInAgent(t, await createAgent(t));
  });

  afterAll(() => t.close());

  const upload = (content: Buffer, filename: string, contentType?: string) => uploadAttachment(t, filed, content, filename, contentType);
  const download = (id: string) => agentClient.get(`/agent/appeals/${filed.reference}/attachments/${id}`).expect(200);

  it('refuses an HTML file named .png (415), whatever type the client claims', async () => {
    await upload(HTML, 'photo.png', 'image/png')
      .expect(415)
      .expect((res) => expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE'));
  });

  it('stores a PDF sent as an image under its real type and extension, and serves it so', async () => {
    const response = await upload(PDF, 'scan.png', 'image/png').expect(201);
    expect(response.body).toMatchObject({ filename: 'scan.pdf', contentType: 'application/pdf', size: PDF.length });
    const served = await download(response.body.id);
    expect(served.headers['content-type']).toBe('application/pdf');
    expect(served.headers['content-disposition']).toBe('attachment; filename="scan.pdf"');
  });

  it('refuses a file of 10 MB + 1 byte (413) and takes one of exactly 10 MB', async () => {
    const limit = 10 * 1024 * 1024;
    const big = Buffer.concat([PNG, Buffer.alloc(limit + 1 - PNG.length)]);
    await upload(big, 'big.png', 'image/png')
      .expect(413)
      .expect((res) => expect(res.body.code).toBe('PAYLOAD_TOO_LARGE'));
    await upload(big.subarray(0, limit), 'exact.png', 'image/png').expect(201);
  });

  it('neutralises a name with ../ and keeps size and SHA-256', async () => {
    const response = await upload(PNG, '../../etc/passwd.png').expect(201);
    expect(response.body.filename).toBe('passwd.png');
    const stored = await t.dataSource.getRepository(AppealAttachment).findOneByOrFail({ id: response.body.id });
    expect(stored).toMatchObject({ size: PNG.length, sha256: createHash('sha256').update(PNG).digest('hex') });
    await expect(t.dataSource.getRepository(AppealAttachmentContent).findOneByOrFail({ attachmentId: stored.id })).resolves.toMatchObject({
      content: PNG,
    });
  });

  it('serves a file only as a download, with its stored type, sniffing off and nothing runnable', async () => {
    const uploaded = await upload(PNG, '..\\..\\evil".png').expect(201);
    const response = await download(uploaded.body.id);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="[^"\\/]+\.png"$/);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
  });
});
