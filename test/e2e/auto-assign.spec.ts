import { AgentPresenceService } from '../../src/modules/agents/agent-presence.service';
import { AgentsService } from '../../src/modules/agents/agents.service';
import { AppealAutoAssigner } from '../../src/modules/appeals/appeal-auto-assigner.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import supertest from 'supertest';
import { createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { flashOf } from '../support/agent-pages';
import { fileAppeal } from '../support/appeals';
import { controlClock, createAccount } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

/** APPEAL_AUTO_ASSIGN: who gets an unclaimed appeal, and that nobody is filled beyond their capacity. */
describe('Auto-assignment', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let second: TestApp;
  const system = { actor: { type: 'system' as const, id: 'test' } };

  beforeAll(async () => {
    // The schedule is far off: the test runs the assigner itself.
    t = await createTestApp({
      smtp: true,
      env: { TRUST_PROXY: 'loopback', APPEAL_AUTO_ASSIGN: 'true', SCHEDULER_INTERVAL: '1h' },
    });
    ({ smtp } = t);
    second = await createTestApp({ workers: false, sharing: t });
  });

  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  /** Only these agents are present and able, everyone else is deactivated. */
  const team = async (members: { name: string; languages?: string[]; capacity?: number; seen?: boolean }[]): Promise<TestAgent[]> => {
    await t.dataSource.query(`UPDATE agents SET active = false`);
    const agents: TestAgent[] = [];
    for (const member of members) {
      const agent = await createAgent(t, { name: member.name });
      await t.get(AgentsService).setWorkload(agent.id, { languages: member.languages ?? ['en'], capacity: member.capacity ?? 10 }, system);
      if (member.seen !== false) await t.get(AgentPresenceService).touch(agent.id);
      agents.push(agent);
    }
    return agents;
  };
  const file = async (count: number, locale: 'en' | 'zh-CN' = 'en') => {
    const references: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const owner = await createAccount(t);
      references.push((await fileAppeal(t, smtp, { account: { uid: owner.uid }, locale })).reference);
    }
    return references;
  };
  const holders = async (references: string[]) =>
    Promise.all(
      references.map(async (reference) => {
        const appeal = await t.dataSource.getRepository(Appeal).findOneByOrFail({ reference });
        return appeal.status === 'in_review' ? appeal.leaseAgentId : null;
      }),
    );
  const waitingOnly = () => t.dataSource.query(`UPDATE appeals SET status = 'rejected' WHERE status = 'submitted'`);

  it('matches the language, balances the load round-robin, and audits the system as the assigner', async () => {
    await waitingOnly();
    const [ana, li] = await team([{ name: 'Ana' }, { name: 'Li', languages: ['zh-CN', 'en'] }]);
    const chinese = await file(1, 'zh-CN');
    const english = await file(2);
    await expect(t.get(AppealAutoAssigner).assignWaiting()).resolves.toBe(3);
    await expect(holders(chinese)).resolves.toEqual([li.id]);
    // Li holds one, Ana none: the first English appeal goes to Ana, the second to whoever is next in turn.
    const english0 = await holders(english);
    expect(english0[0]).toBe(ana.id);
    expect([ana.id, li.id]).toContain(english0[1]);
    const appeal = await t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: chinese[0] });
    expect(appeal.leaseExpiresAt!.getTime() - Date.now()).toBeGreaterThan(25 * 60_000);
    const audit = await t.dataSource.query(
      `SELECT actor_type, data FROM audit_events WHERE action = 'appeal.assigned' AND subject_id = $1`,
      [chinese[0]],
    );
    expect(audit).toEqual([{ actor_type: 'system', data: expect.objectContaining({ assignee: li.id, auto: true }) }]);
  });

  it('never assigns to an inactive agent or one not seen for 15 minutes, nor beyond capacity', async () => {
    await waitingOnly();
    const [absent, gone, busy] = await team([{ name: 'Absent', seen: false }, { name: 'Gone' }, { name: 'Busy', capacity: 1 }]);
    await t.get(AgentPresenceService).touch(absent.id);
    const clock = controlClock(t);
    clock.advance(16 * 60_000);
    await t.get(AgentPresenceService).touch(busy.id);
    await t.get(AgentPresenceService).touch(gone.id);
    await t.get(AgentsService).setActive(gone.id, false, system);
    const references = await file(2);
    await expect(t.get(AppealAutoAssigner).assignWaiting()).resolves.toBe(1);
    await expect(holders(references)).resolves.toEqual([busy.id, null]);
    clock.advance(-16 * 60_000);
  });

  it('fills an agent to exactly their capacity when two processes assign at once', async () => {
    await waitingOnly();
    const [only] = await team([{ name: 'Only', capacity: 3 }]);
    const references = await file(8);
    const results = await Promise.all(
      references.map((reference, index) => (index % 2 ? second : t).get(AppealAutoAssigner).assign(reference)),
    );
    expect(results.filter((result) => result === only.id)).toHaveLength(3);
    const held = (await holders(references)).filter((holder) => holder === only.id);
    expect(held).toHaveLength(3);
  });

  it("lets agents set their own languages and capacity on /agent/me and admins anyone's on /agent/team", async () => {
    const [ana, admin] = await Promise.all([createAgent(t, { name: 'Ana Self' }), createAgent(t, { role: 'admin', name: 'Ada Admin' })]);
    const [anaClient, adminClient] = await Promise.all([signInAgent(t, ana), signInAgent(t, admin)]);
    const post = async (client: supertest.Agent, path: string, body: string) => {
      const csrf = await pageToken(client, '/agent/me');
      return client
        .post(path)
        .type('form')
        .set('Accept', 'text/html')
        .send(`_csrf=${encodeURIComponent(csrf)}&${body}`);
    };
    expect((await anaClient.get('/agent/me').expect(200)).text).toContain('action="/agent/me/workload"');
    await expect(post(anaClient, '/agent/me/workload', 'languages=en&languages=zh-CN&capacity=4').then((r) => r.status)).resolves.toBe(303);
    await expect(t.get(AgentsService).get(ana.id)).resolves.toMatchObject({ languages: 'en,zh-CN', capacity: 4 });
    await expect(post(anaClient, `/agent/team/${admin.id}/workload`, 'languages=en&capacity=1').then((r) => r.status)).resolves.toBe(403);
    await expect(post(adminClient, `/agent/team/${ana.id}/workload`, 'languages=zh-CN&capacity=2').then((r) => r.status)).resolves.toBe(
      303,
    );
    await expect(t.get(AgentsService).get(ana.id)).resolves.toMatchObject({ languages: 'zh-CN', capacity: 2 });
    const refused = await post(adminClient, `/agent/team/${ana.id}/workload`, 'capacity=500');
    expect(flashOf((await adminClient.get(refused.headers.location).expect(200)).text)).toContain('Choose at least one language');
    await expect(t.get(AgentsService).get(ana.id)).resolves.toMatchObject({ languages: 'zh-CN', capacity: 2 });
  });
});
