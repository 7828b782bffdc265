import { AuditEventInput, AuditService } from '../../src/modules/audit/audit.service';
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
    action: 'test.happened',
    actor: { type: 'system', id: 'test' },
    subject: { type: 'account', id: `100000000000000${n % 10}` },
    data: { n, nested: { z: [1, 'two'], a: null }, at: new Date('2026-01-01T00:00:00Z') },
    ip: '203.0.113.7',
  });
  const record = (n: number) => t.dataSource.transaction((manager) => audit.record(manager, event(n)));

  it('chains concurrent appends without gaps or forks', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, n) => record(n)));
    await expect(audit.verify()).resolves.toEqual({ ok: true, count: 40 });
    const [{ seqs }] = await t.dataSource.query('SELECT array_agg(seq::int ORDER BY seq) AS seqs FROM audit_events');
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, n) => n + 1));
  });

  it('writes nothing when the change it belongs to rolls back', async () => {
    const before = await audit.verify();
    await expect(
      t.dataSource.transaction(async (manager) => {
        await audit.record(manager, event(1));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await expect(audit.verify()).resolves.toEqual(before);
  });

  it.each([
    ['UPDATE', "UPDATE audit_events SET action = 'x.y' WHERE seq = 1"],
    ['DELETE', 'DELETE FROM audit_events WHERE seq = 1'],
    ['TRUNCATE', 'TRUNCATE audit_events'],
    ['a rewind of the chain head', 'UPDATE audit_chain_head SET seq = 0'],
  ])('refuses %s', async (_name, sql) => {
    await expect(t.dataSource.query(sql)).rejects.toThrow(/audit/);
  });

  it('refuses secrets and badly named actions', async () => {
    const refused = (input: AuditEventInput) => t.dataSource.transaction((manager) => audit.record(manager, input));
    await expect(refused({ ...event(1), data: { attempt: { password: 'hunter2' } } })).rejects.toThrow('attempt.password');
    await expect(refused({ ...event(1), data: { verificationToken: 'x' } })).rejects.toThrow('verificationToken');
    await expect(refused({ ...event(1), action: 'SignIn' })).rejects.toThrow('dotted lower-case');
  });

  it('pages through events newest first, and by subject', async () => {
    const first = await audit.list({ limit: 15 });
    expect(first.events).toHaveLength(15);
    expect(first.next).toBe(first.events[14].seq);
    const second = await audit.list({ limit: 15, before: first.next });
    expect(Number(second.events[0].seq)).toBe(Number(first.events[14].seq) - 1);
    const all = await audit.list({ limit: 200 });
    expect(all.next).toBeUndefined();
    const bySubject = await audit.list({ subject: { type: 'account', id: '1000000000000003' } });
    expect(bySubject.events.length).toBeGreaterThan(0);
    expect(bySubject.events.every((item) => item.subjectId === '1000000000000003')).toBe(true);
  });
});
