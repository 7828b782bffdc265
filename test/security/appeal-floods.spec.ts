import supertest from 'supertest';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { pageToken, createAgent, signInAgent, TestAgent } from '../support/agents';
import { appealBody, fileAppeal, FiledAppeal } from '../support/appeals';
import { api, createAccount, uniqueEmail, uniqueIp } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Finding 4: three junk appeals per identifier shut the real owner out (429 whatever they
 * name). The limit stays exactly as it is and reveals nothing; the denial is shortened: the
 * appeals that fill an identifier are flagged as a flood (queue filter, dashboard count), a
 * supervisor closes them in one bulk reject_duplicate, and closed appeals stop counting at once.
 */
describe('Appeal floods', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let supervisor: TestAgent;
  let supervisorClient: supertest.Agent;
  let agentClient: supertest.Agent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    supervisor = await createAgent(t, { role: 'supervisor', name: 'Sam Supervisor' });
    supervisorClient = await signInAgent(t, supervisor);
    agentClient = await signInAgent(t, await createAgent(t));
  });

  afterAll(() => t.close());

  const row = (reference: string) => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference });
  const queueRows = (html: string) =>
    [...html.matchAll(/<a class="mono" href="\/agent\/appeals\/(AP-[A-Z2-7]{10})">/g)].map((match) => match[1]);

  /** Three junk appeals naming `account`, from two IPs and two contact emails, as the probe did. */
  async function flood(account: { logonEmail: string }): Promise<FiledAppeal[]> {
    const ips = [uniqueIp(), uniqueIp()];
    const contacts = [uniqueEmail('junk'), uniqueEmail('junk')];
    const filed: FiledAppeal[] = [];
    for (let n = 0; n < 3; n += 1) filed.push(await fileAppeal(t, smtp, { account, ip: ips[n % 2], contactEmail: contacts[n % 2] }));
    return filed;
  }

  /** The owner's own filing, answered as it is (201 or 429). */
  async function ownerFiles(account: { logonEmail: string }): Promise<supertest.Response> {
    const contactEmail = uniqueEmail('owner');
    const ip = uniqueIp();
    return api(t)
      .post('/api/v1/appeals')
      .set('X-Forwarded-For', ip)
      .send(await appealBody(t, smtp, { account, contactEmail, ip }));
  }

  it('keeps the limit and its silence: 429 alike for an account that exists and one that does not', async () => {
    const owner = await createAccount(t);
    const nobody = { logonEmail: uniqueEmail('nobody') };
    await flood({ logonEmail: owner.logonEmail });
    await flood(nobody);
    const [real, unknown] = [await ownerFiles({ logonEmail: owner.logonEmail }), await ownerFiles(nobody)];
    expect([real.status, unknown.status]).toEqual([429, 429]);
    expect(real.body).toEqual({ ...unknown.body, instance: real.body.instance });
    expect(real.headers['retry-after']).toBe(unknown.headers['retry-after']);
  });

  it('flags the appeals that fill an identifier as a flood, in the queue filter and the dashboard', async () => {
    const owner = await createAccount(t);
    const junk = await flood({ logonEmail: owner.logonEmail });
    for (const filed of junk) await expect(row(filed.reference)).resolves.toMatchObject({ flood: true });
    const other = await fileAppeal(t, smtp, { account: { uid: (await createAccount(t)).uid } });
    await expect(row(other.reference)).resolves.toMatchObject({ flood: false });

    const listed = queueRows((await agentClient.get('/agent/appeals?flood=1').expect(200)).text);
    expect(listed).toEqual(expect.arrayContaining(junk.map((filed) => filed.reference)));
    expect(listed).not.toContain(other.reference);
    const dashboard = await agentClient.get('/agent').expect(200);
    const count = /<dt>Flagged as a flood, open<\/dt><dd>(\d+)<\/dd>/.exec(dashboard.text);
    expect(Number(count?.[1])).toBeGreaterThanOrEqual(3);
  });

  it('lets a supervisor close the flood in one bulk reject_duplicate; the owner files at once', async () => {
    const owner = await createAccount(t);
    const junk = await flood({ logonEmail: owner.logonEmail });
    expect((await ownerFiles({ logonEmail: owner.logonEmail })).status).toBe(429);

    // An agent may not; a stale version is skipped, the rest are closed.
    const csrf = await pageToken(agentClient, '/agent/appeals');
    const references = junk.map((filed) => filed.reference);
    await agentClient
      .post('/agent/appeals/bulk')
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: csrf, action: 'reject_duplicate', references })
      .expect(403);
    const page = await supervisorClient.get('/agent/appeals?status=open&flood=1').expect(200);
    expect(page.text).toContain('action="/agent/appeals/bulk"');
    const versions = await Promise.all(junk.map(async (filed) => `${filed.reference}:${(await row(filed.reference)).version}`));
    versions[2] = `${junk[2].reference}:999`;
    const bulk = await supervisorClient
      .post('/agent/appeals/bulk')
      .type('form')
      .set('Accept', 'text/html')
      .send(
        `_csrf=${encodeURIComponent(await pageToken(supervisorClient, '/agent/appeals'))}&action=reject_duplicate&${references.map((r) => `references=${r}`).join('&')}&${versions.map((v) => `versions=${encodeURIComponent(v)}`).join('&')}`,
      )
      .expect(303);
    expect(bulk.headers.location).toBe('/agent/appeals?status=open&flood=1');
    await expect(row(junk[0].reference)).resolves.toMatchObject({ status: 'rejected', rejectionReason: 'duplicate' });
    await expect(row(junk[1].reference)).resolves.toMatchObject({ status: 'rejected' });
    await expect(row(junk[2].reference)).resolves.toMatchObject({ status: 'submitted' });
    const summary = await supervisorClient.get(bulk.headers.location).expect(200);
    expect(summary.text).toContain(`2 of 3 rejected as duplicates. ${junk[2].reference} skipped:`);
    await smtp.waitForMessage(
      () => smtp.to(junk[0].contactEmail).some((message) => message.template === 'appeal-rejected'),
      15_000,
      'appeal-rejected to the junk contact',
    );

    // Closed appeals stop counting at once: one place is free now.
    expect((await ownerFiles({ logonEmail: owner.logonEmail })).status).toBe(201);
  });
});
