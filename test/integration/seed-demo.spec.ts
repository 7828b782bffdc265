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

  it('creates the demo agents, account and RAM user once, and prints how to sign in each time', async () => {
    const runs: string[][] = [];
    for (let run = 0; run < 2; run += 1) {
      const lines: string[] = [];
      await seedDemo(t.app, t.config, (line) => lines.push(line));
      runs.push(lines);
    }
    expect(runs[1]).toEqual(runs[0]);
    const printed = runs[0].join('\n');
    expect(printed).toMatch(/Back-office http:\/\/[^ ]+\/agent\/login/);
    for (const email of ['agent@example.com', 'supervisor@example.com', 'admin@example.com', 'demo.owner@example.com']) expect(printed).toContain(email);
    const counts = await t.dataSource.query(`SELECT (SELECT count(*) FROM agents)::int AS agents, (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM ram_users)::int AS ram_users`);
    expect(counts).toEqual([{ agents: 3, accounts: 1, ram_users: 1 }]);
    const [{ uid, secure_phone }] = await t.dataSource.query(`SELECT uid, secure_phone FROM accounts`);
    expect(secure_phone).toBe('+8613812345678');
    expect(printed).toContain(`deploy-bot@${uid}`);
  });
});
