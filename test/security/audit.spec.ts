import { sha256Hex } from '../../src/common/crypto/tokens';
import { AuditService } from '../../src/modules/audit/audit.service';
import { canonicalJson } from '../../src/modules/audit/canonical-json';
import { runCli } from '../support/cli';
import { createTestApp, TestApp } from '../support/test-app';

/** Each column of an audit row, and a way to give it another value. */
const ALTERATIONS: Record<string, string> = {
  created_at: "created_at + interval '1 millisecond'",
  action: "'test.altered'",
  actor_type: "CASE actor_type WHEN 'agent' THEN 'system' ELSE 'agent' END",
  actor_id: "coalesce(actor_id, '') || 'x'",
  subject_type: "coalesce(subject_type, '') || 'x'",
  subject_id: "coalesce(subject_id, '') || 'x'",
  data: `data || '{"altered": true}'`,
  ip: "coalesce(ip, '') || '1'",
  prev_hash: "repeat('1', 64)",
  hash: "repeat('f', 64)",
};

/** docs/security.md: altering any audit row makes `audit:verify` fail and name that row. */
describe('audit:verify', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp({ workers: false });
    const audit = t.get(AuditService);
    for (let n = 1; n <= 5; n += 1) {
      // Rows with every column filled, and rows with the optional ones empty.
      const event =
        n % 2
          ? { action: 'test.happened', actor: { type: 'agent' as const, id: `agent-${n}` }, subject: { type: 'account', id: `100000000000000${n}` }, data: { n, nested: { list: [n] } }, ip: '203.0.113.7' }
          : { action: 'test.happened', actor: { type: 'system' as const }, data: { n } };
      await t.dataSource.transaction((manager) => audit.record(manager, event));
    }
  });

  afterEach(async () => {
    await t.close();
  });

  /** Runs `sql` with the append-only triggers switched off, as a superuser could. */
  const tamper = (sql: string, parameters: unknown[] = []) =>
    t.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL session_replication_role = replica');
      await manager.query(sql, parameters);
    });

  it('prints ok and the count when the chain holds, and names the altered row when it does not', async () => {
    const ok = await runCli(t, ['audit:verify']);
    expect(ok).toMatchObject({ code: 0, stdout: 'ok 5 events\n' });

    await tamper(`UPDATE audit_events SET data = '{"n": 33}' WHERE seq = 3`);
    const broken = await runCli(t, ['audit:verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('broken at seq 3: its content does not match its hash (2 events verified before it)\n');
  }, 60_000);

  it('names the row whatever column of whichever row is altered', async () => {
    const audit = t.get(AuditService);
    const original: Record<string, unknown>[] = await t.dataSource.query('SELECT * FROM audit_events ORDER BY seq');
    expect(original).toHaveLength(5);
    expect(Object.keys(original[0]).sort()).toEqual(['seq', ...Object.keys(ALTERATIONS)].sort());
    for (const row of original) {
      for (const [column, altered] of Object.entries(ALTERATIONS)) {
        await tamper(`UPDATE audit_events SET ${column} = ${altered} WHERE seq = $1`, [row.seq]);
        const [changed] = await t.dataSource.query(`SELECT ${column} AS value FROM audit_events WHERE seq = $1`, [row.seq]);
        expect([column, changed.value]).not.toEqual([column, row[column]]);
        const verdict = await audit.verify();
        expect([row.seq, column, verdict.ok, verdict.ok ? undefined : verdict.brokenAt.seq]).toEqual([row.seq, column, false, row.seq]);
        await tamper(`UPDATE audit_events SET ${column} = $1 WHERE seq = $2`, [row[column], row.seq]);
      }
    }
    await expect(audit.verify()).resolves.toEqual({ ok: true, count: 5 });
  });

  it('names a row re-hashed to hide a change by the broken link after it', async () => {
    // Rewrite row 2 and its hash consistently: the link from row 3 still gives it away.
    const [row] = await t.dataSource.query('SELECT * FROM audit_events WHERE seq = 2');
    const content = { createdAt: row.created_at.toISOString(), action: 'test.rewritten', actorType: row.actor_type, actorId: null, subjectType: null, subjectId: null, data: row.data, ip: null };
    await tamper(`UPDATE audit_events SET action = 'test.rewritten', hash = $1 WHERE seq = 2`, [sha256Hex(row.prev_hash + canonicalJson(content))]);
    await expect(t.get(AuditService).verify()).resolves.toEqual({
      ok: false,
      count: 2,
      brokenAt: { seq: '3', reason: 'its previous hash does not match the hash of the row before it' },
    });
  });

  it('notices a deleted row and a cut-off tail', async () => {
    await tamper('DELETE FROM audit_events WHERE seq = 4');
    await expect(t.get(AuditService).verify()).resolves.toMatchObject({ ok: false, count: 3, brokenAt: { seq: '4', reason: 'missing (the next row is 5)' } });
    await tamper('DELETE FROM audit_events WHERE seq = 5');
    await expect(t.get(AuditService).verify()).resolves.toMatchObject({ ok: false, count: 3, brokenAt: { seq: '4', reason: 'missing (the chain head records 5 events)' } });
  });
});
