import supertest from 'supertest';
import { AgentsService } from '../../src/modules/agents/agents.service';
import { Agent } from '../../src/modules/agents/entities/agent.entity';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { pageVersion, postForm } from '../support/agent-pages';
import { fileAppeal } from '../support/appeals';
import { createAccount, uniqueEmail } from '../support/factories';
import { csrfOf } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'amber orchard beneath silent hills';

/**
 * Finding 5: one admin alone got past four eyes (approve, make a supervisor on the team page,
 * sign in as it, confirm). A confirmation by an agent the approver made, or made after the
 * approval, answers 403; a supervisor or admin made on the team page signs in only once a
 * second admin agrees; every active admin hears of it.
 */
describe('Four eyes against a single admin', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let admin: TestAgent;
  let otherAdmin: TestAgent;
  let adminClient: supertest.Agent;
  let otherAdminClient: supertest.Agent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    [admin, otherAdmin] = await Promise.all([
      createAgent(t, { role: 'admin', name: 'Ada Admin' }),
      createAgent(t, { role: 'admin', name: 'Otto Admin' }),
    ]);
    [adminClient, otherAdminClient] = await Promise.all([signInAgent(t, admin), signInAgent(t, otherAdmin)]);
  });

  afterAll(() => t.close());

  /** An appeal the admin approved alone: pending the second approval. */
  async function approvedBy(client: supertest.Agent): Promise<string> {
    const owner = await createAccount(t);
    const { reference } = await fileAppeal(t, smtp, { account: { uid: owner.uid, logonEmail: owner.logonEmail } });
    expect((await postForm(client, `/agent/appeals/${reference}/claim`, { version: await pageVersion(client, reference) })).status).toBe(
      303,
    );
    expect(
      (
        await postForm(client, `/agent/appeals/${reference}/approve`, {
          version: await pageVersion(client, reference),
          rationale: 'Looks fine to me.',
        })
      ).status,
    ).toBe(303);
    await expect(t.dataSource.getRepository(Appeal).findOneByOrFail({ reference })).resolves.toMatchObject({
      status: 'pending_second_approval',
    });
    return reference;
  }

  /** Adds a supervisor on the team page, as `client`'s admin. */
  async function addOnTeamPage(client: supertest.Agent, name: string): Promise<TestAgent> {
    const email = uniqueEmail('made');
    const csrf = await pageToken(client, '/agent/team');
    await client
      .post('/agent/team')
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: csrf, email, name, role: 'supervisor', password: PASSWORD })
      .expect(303);
    const agent = await t.dataSource.getRepository(Agent).findOneByOrFail({ email });
    return { id: agent.id, email, name, role: 'supervisor', password: PASSWORD };
  }

  const signInStatus = async (agent: TestAgent) => {
    const client = supertest.agent(t.app.getHttpServer());
    const csrf = await pageToken(client, '/agent/login');
    return (await client.post('/agent/login').type('form').send({ _csrf: csrf, email: agent.email, password: agent.password })).status;
  };
  const confirm = async (client: supertest.Agent, reference: string) =>
    (await postForm(client, `/agent/appeals/${reference}/second-approve`, { version: await pageVersion(client, reference) })).status;

  it('keeps a supervisor made on the team page out until a second admin agrees, and tells every active admin', async () => {
    const made = await addOnTeamPage(adminClient, 'Sid Supervisor');
    await expect(t.dataSource.getRepository(Agent).findOneByOrFail({ id: made.id })).resolves.toMatchObject({
      awaitingApproval: true,
      roleGrantedBy: admin.id,
    });
    expect(await signInStatus(made)).toBe(401);

    // The admin who made them cannot agree to it; the button is not even shown to them.
    const team = await adminClient.get('/agent/team').expect(200);
    expect(team.text).not.toContain(`/agent/team/${made.id}/approve`);
    await adminClient
      .post(`/agent/team/${made.id}/approve`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: csrfOf(team.text) })
      .expect(403);
    expect(await signInStatus(made)).toBe(401);

    for (const to of [admin.email, otherAdmin.email]) {
      await smtp.waitForMessage(
        () => smtp.to(to).some((message) => message.template === 'agent-role-granted' && message.text.includes('Sid Supervisor')),
        15_000,
        `agent-role-granted to ${to}`,
      );
    }
    const notice = smtp
      .to(otherAdmin.email)
      .find((message) => message.template === 'agent-role-granted' && message.text.includes('Sid Supervisor'))!;
    expect(notice.text).toContain('Ada Admin made Sid Supervisor');
    expect(notice.text).toContain('once another admin agrees');

    const otherTeam = await otherAdminClient.get('/agent/team').expect(200);
    expect(otherTeam.text).toContain(`/agent/team/${made.id}/approve`);
    await otherAdminClient
      .post(`/agent/team/${made.id}/approve`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: csrfOf(otherTeam.text) })
      .expect(303);
    expect(await signInStatus(made)).toBe(303);
  });

  it('refuses the confirmation of a supervisor the approver made (403), even once a second admin agreed to the role', async () => {
    const made = await addOnTeamPage(adminClient, 'Sue Supervisor');
    await t.get(AgentsService).approveRole(made.id, { actor: { type: 'agent', id: otherAdmin.id } });
    const reference = await approvedBy(adminClient);
    expect(await confirm(await signInAgent(t, made), reference)).toBe(403);
    await expect(t.dataSource.getRepository(Appeal).findOneByOrFail({ reference })).resolves.toMatchObject({
      status: 'pending_second_approval',
      confirmedBy: null,
    });
  });

  it('refuses the confirmation of a supervisor created after the approval, by anyone (403)', async () => {
    const reference = await approvedBy(adminClient);
    const late = await createAgent(t, { role: 'supervisor', name: 'Late Supervisor' });
    expect(await confirm(await signInAgent(t, late), reference)).toBe(403);
  });

  it('refuses the confirmation of a supervisor whose role a second admin approved after the approval (403)', async () => {
    const made = await addOnTeamPage(otherAdminClient, 'Pat Pending');
    const reference = await approvedBy(adminClient);
    await t.get(AgentsService).approveRole(made.id, { actor: { type: 'agent', id: (await createAgent(t, { role: 'admin' })).id } });
    expect(await confirm(await signInAgent(t, made), reference)).toBe(403);
  });

  it('lets a supervisor made before the approval by someone else confirm, as before (303)', async () => {
    const earlier = await createAgent(t, { role: 'supervisor', name: 'Early Supervisor' });
    const reference = await approvedBy(adminClient);
    expect(await confirm(await signInAgent(t, earlier), reference)).toBe(303);
    await expect(t.dataSource.getRepository(Appeal).findOneByOrFail({ reference })).resolves.toMatchObject({
      status: 'scheduled',
      confirmedBy: earlier.id,
    });
  });

  it('lets an agent made by the admin API act at once, and tells every active admin', async () => {
    const made = await createAgent(t, { role: 'admin', name: 'Api Admin' });
    expect(await signInStatus(made)).toBe(303);
    await smtp.waitForMessage(
      () => smtp.to(admin.email).some((message) => message.template === 'agent-role-granted' && message.text.includes('Api Admin')),
      15_000,
      'agent-role-granted',
    );
    expect(
      smtp.to(admin.email).find((message) => message.template === 'agent-role-granted' && message.text.includes('Api Admin'))!.text,
    ).toContain('The role is in effect now.');
  });
});
