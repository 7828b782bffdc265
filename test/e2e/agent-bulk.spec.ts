import supertest from 'supertest';
import { AgentsService } from '../../src/modules/agents/agents.service';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { flashOf } from '../support/agent-pages';
import { fileAppeal, versionOf } from '../support/appeals';
import { createAccount } from '../support/factories';
import { unescapeHtml } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

describe('Bulk actions on the queue (supervisors)', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let ana: TestAgent;
  let bo: TestAgent;
  let sam: TestAgent;
  let anaClient: supertest.Agent;
  let samClient: supertest.Agent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    [ana, bo, sam] = await Promise.all([
      createAgent(t, { name: 'Ana Agent' }),
      createAgent(t, { name: 'Bo Agent' }),
      createAgent(t, { role: 'supervisor', name: 'Sam Supervisor' }),
    ]);
    [anaClient, samClient] = await Promise.all([signInAgent(t, ana), signInAgent(t, sam)]);
  });

  afterAll(() => t?.close());

  const actor = (who: TestAgent) => ({ id: who.id, role: who.role, ip: '192.0.2.10' });
  const row = (reference: string) => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference });
  const fileMany = (count: number) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const owner = await createAccount(t);
        return (await fileAppeal(t, smtp, { account: { uid: owner.uid } })).reference;
      }),
    );
  const claimAll = async (who: TestAgent, references: string[]) => {
    for (const reference of references)
      await t.get(AppealReviewService).claim(actor(who), reference, await versionOf(t, actor(who), reference));
  };
  const bulk = async (client: supertest.Agent, fields: Record<string, string | string[]>) => {
    const csrf = await pageToken(client, '/agent/appeals');
    const body = new URLSearchParams({ _csrf: csrf });
    for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one);
    return client.post('/agent/appeals/bulk').type('form').set('Accept', 'text/html').send(body.toString());
  };
  const shownVersions = async (references: string[]) => {
    const page = unescapeHtml((await samClient.get('/agent/appeals?status=open').expect(200)).text);
    return references.map((reference) => {
      const match = new RegExp(`name="versions" value="(${reference}:\\d+)" form="bulk-form"`).exec(page);
      if (!match) throw new Error(`the queue shows no version of ${reference}`);
      return match[1];
    });
  };

  it('offers supervisors the selection and the three actions, and agents neither', async () => {
    await fileMany(1);
    const forSam = (await samClient.get('/agent/appeals').expect(200)).text;
    expect(forSam).toContain('<form method="post" action="/agent/appeals/bulk" id="bulk-form"');
    for (const button of ['Release', 'Assign', 'Reject as duplicate'])
      expect(forSam).toMatch(new RegExp(`<button type="submit" name="action" value="\\w+" class="btn btn-\\w+">${button}</button>`));
    const forAna = (await anaClient.get('/agent/appeals').expect(200)).text;
    expect(forAna).not.toContain('bulk-form');
    for (const action of ['release', 'assign', 'reject_duplicate'])
      await expect(bulk(anaClient, { action, references: [] }).then((answer) => answer.status)).resolves.toBe(403);
  });

  it('releases what the queue showed and skips, with the reason, an appeal changed since', async () => {
    const references = await fileMany(3);
    await claimAll(ana, references);
    const versions = await shownVersions(references);
    // Ana writes a note on the third after the supervisor's queue showed it.
    await t
      .get(AppealReviewService)
      .addNote(actor(ana), references[2], await versionOf(t, actor(ana), references[2]), { body: 'still on it' });

    const answer = await bulk(samClient, { action: 'release', references, versions, back: '/agent/appeals?status=open' });
    expect([answer.status, answer.headers.location]).toEqual([303, '/agent/appeals?status=open']);
    await expect(Promise.all(references.map(async (reference) => (await row(reference)).status))).resolves.toEqual([
      'submitted',
      'submitted',
      'in_review',
    ]);
    const summary = flashOf((await samClient.get(answer.headers.location).expect(200)).text);
    expect(summary).toMatch(new RegExp(`^2 of 3 released\\. ${references[2]} skipped: `));
    const audit = await t.dataSource.query(`SELECT actor_id, data FROM audit_events WHERE action = 'appeal.released' AND subject_id = $1`, [
      references[0],
    ]);
    expect(audit).toEqual([{ actor_id: sam.id, data: expect.objectContaining({ bulk: true, tookOverFrom: ana.id }) }]);
  });

  it('assigns to an active agent with the ordinary lease, and refuses an inactive one', async () => {
    const references = await fileMany(2);
    const versions = await shownVersions(references);
    const answer = await bulk(samClient, { action: 'assign', agentId: bo.id, references, versions });
    expect(answer.status).toBe(303);
    for (const reference of references) {
      const appeal = await row(reference);
      expect([appeal.status, appeal.leaseAgentId]).toEqual(['in_review', bo.id]);
      expect(appeal.leaseExpiresAt!.getTime() - Date.now()).toBeGreaterThan(25 * 60_000);
    }
    expect(flashOf((await samClient.get(answer.headers.location).expect(200)).text)).toBe('2 of 2 assigned to Bo Agent.');

    const more = await fileMany(1);
    const admin = await createAgent(t, { role: 'admin' });
    await t.get(AgentsService).setActive(bo.id, false, { actor: { type: 'agent', id: admin.id } });
    const refused = await bulk(samClient, { action: 'assign', agentId: bo.id, references: more });
    expect(flashOf((await samClient.get(refused.headers.location).expect(200)).text)).toBe(
      'Choose an active agent to assign the appeals to.',
    );
    await expect(row(more[0])).resolves.toMatchObject({ status: 'submitted', leaseAgentId: null });
  });
});
