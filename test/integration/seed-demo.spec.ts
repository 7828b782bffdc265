import { Clock } from '../../src/common/clock';
import { seedDemo } from '../../src/demo/seed-demo';
import { createTestApp, TestApp } from '../support/test-app';

describe(seedDemo.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
  });

  afterAll(async () => {
    await t.close();
  });

  it('creates the demo agents, account, RAM user and appeals once, and prints how to sign in each time', async () => {
    const runs: string[][] = [];
    for (let run = 0; run < 2; run += 1) {
      const lines: string[] = [];
      await seedDemo(t.app, t.config, (line) => lines.push(line));
      runs.push(lines);
    }
    expect(runs[1]).toEqual(runs[0]);
    const printed = runs[0].join('\n');
    expect(printed).toMatch(/Back-office http:\/\/[^ ]+\/agent\/login/);
    expect(printed).toMatch(/Appeals http:\/\/[^ ]+\/agent\/appeals \(9 in different states/);
    const [awaiting] = await t.dataSource.query(`SELECT reference FROM appeals WHERE status = 'awaiting_customer'`);
    expect(printed).toContain(`/appeal/status (reference ${awaiting.reference}, waiting for its person's reply`);
    for (const email of ['agent@example.com', 'supervisor@example.com', 'admin@example.com', 'demo.owner@example.com'])
      expect(printed).toContain(email);
    const counts = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM agents)::int AS agents, (SELECT count(*) FROM ram_users)::int AS ram_users, (SELECT count(*) FROM appeals)::int AS appeals`,
    );
    expect(counts).toEqual([{ agents: 3, ram_users: 1, appeals: 9 }]);
    const [{ uid, secure_phone }] = await t.dataSource.query(
      `SELECT uid, secure_phone FROM accounts WHERE logon_email = 'demo.owner@example.com'`,
    );
    expect(secure_phone).toBe('+8613812345678');
    expect(printed).toContain(`deploy-bot@${uid}`);
    expect(printed).toMatch(/Account Center http:\/\/[^ ]+\/login \(login \/ password; a new browser is asked for a code/);
    // Its sessions page shows another device, signed in and trusted (once, however many runs).
    const activity = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM sessions WHERE account_uid = $1 AND revoked_at IS NULL AND user_agent LIKE '%iPhone%')::int AS sessions,
              (SELECT count(*) FROM trusted_devices WHERE account_uid = $1 AND trusted_until > now())::int AS devices`,
      [uid],
    );
    expect(activity).toEqual([{ sessions: 1, devices: 1 }]);
  });

  it('leaves appeals in every state the queue shows, worked through the services', async () => {
    const appeals: {
      status: string;
      account_match: string;
      sla_breached: boolean;
      messages: number;
      notes: number;
      files: number;
      lease_live: boolean;
      created_at: Date;
    }[] = await t.dataSource.query(
      `SELECT a.status, a.account_match, a.sla_breached, a.lease_expires_at > now() AS lease_live, a.created_at,
              (SELECT count(*) FROM appeal_messages m WHERE m.appeal_id = a.id AND m.author <> 'note')::int AS messages,
              (SELECT count(*) FROM appeal_messages m WHERE m.appeal_id = a.id AND m.author = 'note')::int AS notes,
              (SELECT count(*) FROM appeal_attachments f WHERE f.appeal_id = a.id)::int AS files
         FROM appeals a ORDER BY a.created_at`,
    );
    expect(appeals.map((appeal) => appeal.status).sort()).toEqual(
      [
        'awaiting_customer',
        'completed',
        'in_review',
        'pending_second_approval',
        'rejected',
        'scheduled',
        'submitted',
        'submitted',
        'submitted',
      ].sort(),
    );
    expect(appeals.filter((appeal) => appeal.account_match === 'unmatched')).toHaveLength(1);
    expect(appeals.filter((appeal) => appeal.sla_breached)).toHaveLength(1);
    expect(appeals.find((appeal) => appeal.status === 'awaiting_customer')).toMatchObject({ messages: 2 });
    expect(appeals.find((appeal) => appeal.status === 'in_review')).toMatchObject({ lease_live: true, notes: 1, files: 1 });
    // Filed over the last days, so ages, deadlines and the dashboard's medians mean something.
    expect(Date.now() - appeals[0].created_at.getTime()).toBeGreaterThan(5 * 86_400_000);
    const events: { action: string }[] = await t.dataSource.query(`SELECT DISTINCT action FROM audit_events WHERE subject_type = 'appeal'`);
    expect(events.map((event) => event.action)).toEqual(
      expect.arrayContaining([
        'appeal.filed',
        'appeal.claimed',
        'appeal.approved',
        'appeal.approval_confirmed',
        'appeal.completed',
        'appeal.rejected',
        'appeal.info_requested',
      ]),
    );
    // The clock turned back for the seed is the real one again.
    expect(Math.abs(t.get(Clock).nowMs() - Date.now())).toBeLessThan(1_000);
  });
});
