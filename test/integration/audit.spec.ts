import { AuditEventInput, AuditService } from '../../src/modules/audit/audit.service';
import { AuditSequencer } from '../../src/modules/audit/audit-sequencer.service';
import { AuditVerifier } from '../../src/modules/audit/audit-verifier.service';
import { sequenceAudit, testAction } from '../support/audit';
import { waitFor } from '../support/wait-for';
import { createTestApp, TestApp } from '../support/test-app';

describe(AuditService.name, () => {
  let t: TestApp;
  let audit: AuditService;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    audit = t.get(AuditService);
  });

  afterAll(async () => {
    await t.close();
  });

  const event = (n: number): AuditEventInput => ({
    action: testAction('test.happened'),
    actor: { type: 'system', id: 'test' },
    subject: { type: 'account', id: `100000000000000${n % 10}` },
    data: { n, nested: { z: [1, 'two'], a: null }, at: new Date('2026-01-01T00:00:00Z') },
    ip: '203.0.113.7',
  });
  const record = (n: number) => t.dataSource.transaction((manager) => audit.record(manager, event(n)));
  const leaves = async () =>
    (await t.dataSource.query(
      'SELECT l.leaf_index::int AS seq, e.xid::text AS xid, e.seq::int AS id FROM audit_leaves l JOIN audit_events e ON e.seq = l.event_id ORDER BY l.leaf_index',
    )) as {
      seq: number;
      xid: string;
      id: number;
    }[];

  it('appends concurrent events with one INSERT each, then sequences every one of them in (xid, id) order', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, n) => record(n)));
    const size = await sequenceAudit(t);
    expect(size).toBe(40);
    const placed = await leaves();
    expect(placed.map((leaf) => leaf.seq)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    const sorted = [...placed].sort((a, b) => (BigInt(a.xid) === BigInt(b.xid) ? a.id - b.id : BigInt(a.xid) < BigInt(b.xid) ? -1 : 1));
    expect(placed.map((leaf) => leaf.id)).toEqual(sorted.map((leaf) => leaf.id));
    await expect(t.get(AuditVerifier).verify()).resolves.toMatchObject({
      ok: true,
      events: 40,
      checkpoints: expect.any(Number),
      checkpointProblems: [],
    });
    const [{ nonces }] = await t.dataSource.query('SELECT count(DISTINCT nonce)::int AS nonces FROM audit_events');
    expect(nonces).toBe(40);
  });

  it('takes no lock that another audited transaction waits for', async () => {
    // One transaction records and stays open; another records and commits meanwhile.
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await audit.record(runner.manager, event(90));
      await expect(record(91)).resolves.toBeUndefined();
    } finally {
      await runner.commitTransaction();
      await runner.release();
    }
    await sequenceAudit(t);
  });

  it('signs one checkpoint per run that adds leaves, and none for a run that adds nothing', async () => {
    const before = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_checkpoints');
    await t.get(AuditSequencer).run();
    await expect(t.dataSource.query('SELECT count(*)::int AS n FROM audit_checkpoints')).resolves.toEqual(before);
    await record(50);
    await sequenceAudit(t);
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_checkpoints');
    expect(n).toBe(before[0].n + 1);
  });

  it('lets one sequencer run at a time', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, n) => record(n)));
    const runs = await Promise.all(Array.from({ length: 4 }, () => t.get(AuditSequencer).run()));
    expect(runs.filter((run) => run.ran).length).toBeGreaterThanOrEqual(1);
    await sequenceAudit(t);
    const [{ gaps }] = await t.dataSource.query('SELECT (count(*) - (max(leaf_index) + 1))::int AS gaps FROM audit_leaves');
    expect(gaps).toBe(0);
  });

  it('works a backlog off over several runs, in small batches, without a gap or a change of order', async () => {
    const before = (await leaves()).length;
    for (let n = 0; n < 25; n += 1) await record(100 + n);
    const sequencer = t.get(AuditSequencer);
    const runs: { placed: number; size: number }[] = [];
    await waitFor(
      async () => {
        const run = await sequencer.run({ place: 4, hash: 3 });
        if (run.ran) runs.push(run);
        const [state] = await t.dataSource.query('SELECT hashed::int AS hashed FROM audit_sequencer');
        return state.hashed === before + 25;
      },
      { timeoutMs: 60_000, intervalMs: 20, description: 'the backlog to be placed and hashed' },
    );
    expect(Math.max(...runs.map((run) => run.placed))).toBeLessThanOrEqual(4);
    expect(runs.length).toBeGreaterThanOrEqual(Math.ceil(25 / 3));
    const placed = await leaves();
    expect(placed.slice(before).map((leaf) => leaf.id)).toEqual(
      [...placed.slice(before)].sort((a, b) => a.id - b.id).map((leaf) => leaf.id),
    );
    await expect(t.get(AuditVerifier).verify()).resolves.toMatchObject({ ok: true, events: before + 25, checkpointProblems: [] });
  });

  it('writes nothing when the change it belongs to rolls back', async () => {
    const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM audit_events');
    await expect(
      t.dataSource.transaction(async (manager) => {
        await audit.record(manager, event(1));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await expect(t.dataSource.query('SELECT count(*)::int AS count FROM audit_events')).resolves.toEqual([{ count }]);
  });

  it.each([
    ['UPDATE', "UPDATE audit_events SET action = 'x.y' WHERE seq = 1"],
    ['DELETE', 'DELETE FROM audit_events WHERE seq = 1'],
    ['TRUNCATE', 'TRUNCATE audit_events'],
    ['a moved leaf', 'UPDATE audit_leaves SET event_id = event_id + 1 WHERE leaf_index = 0'],
    ['a deleted leaf', 'DELETE FROM audit_leaves WHERE leaf_index = 0'],
    ['a changed node', "UPDATE audit_nodes SET hash = '\\x00' WHERE level = 0 AND node_index = 0"],
    ['a deleted checkpoint', 'DELETE FROM audit_checkpoints'],
  ])('refuses %s', async (_name, sql) => {
    await expect(t.dataSource.query(sql)).rejects.toThrow(/audit/);
  });

  it('refuses secrets and badly named actions', async () => {
    const refused = (input: AuditEventInput) => t.dataSource.transaction((manager) => audit.record(manager, input));
    await expect(refused({ ...event(1), data: { attempt: { password: 'hunter2' } } })).rejects.toThrow('attempt.password');
    await expect(refused({ ...event(1), data: { verificationToken: 'x' } })).rejects.toThrow('verificationToken');
    await expect(refused({ ...event(1), action: testAction('SignIn') })).rejects.toThrow('dotted lower-case');
  });

  it('pages through events newest first, and by subject', async () => {
    const first = await audit.list({ limit: 15 });
    expect(first.events).toHaveLength(15);
    expect(first.next).toBe(first.events[14].seq);
    const second = await audit.list({ limit: 15, before: first.next });
    expect(Number(second.events[0].seq)).toBeLessThan(Number(first.events[14].seq));
    const all = await audit.list({ limit: 200 });
    expect(all.next).toBeUndefined();
    const bySubject = await audit.list({ subject: { type: 'account', id: '1000000000000003' } });
    expect(bySubject.events.length).toBeGreaterThan(0);
    expect(bySubject.events.every((item) => item.subjectId === '1000000000000003')).toBe(true);
  });
});
