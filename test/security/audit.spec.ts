import { AuditService } from '../../src/modules/audit/audit.service';
import { AuditSequencer } from '../../src/modules/audit/audit-sequencer.service';
import { AuditVerifier } from '../../src/modules/audit/audit-verifier.service';
import { sequenceAudit, testAction } from '../support/audit';
import { runCli } from '../support/cli';
import { createTestApp, TestApp } from '../support/test-app';

/** Each column of an event, and a way to give it another value. */
const ALTERATIONS: Record<string, string> = {
  created_at: "created_at + interval '1 millisecond'",
  action: "'test.altered'",
  actor_type: "CASE actor_type WHEN 'agent' THEN 'system' ELSE 'agent' END",
  actor_id: "coalesce(actor_id, '') || 'x'",
  subject_type: "coalesce(subject_type, '') || 'x'",
  subject_id: "coalesce(subject_id, '') || 'x'",
  data: `data || '{"altered": true}'`,
  ip: "coalesce(ip, '') || '1'",
  nonce: "repeat('0', 32)",
};
/** Columns the log does not cover: `seq` is the event's id (covered as `id`), `xid` only orders sequencing. */
const NOT_HASHED = ['seq', 'xid'];

/** Altering, deleting or reordering any audit event makes `audit:verify` fail and name it. */
describe('audit:verify', () => {
  let t: TestApp;
  let verifier: AuditVerifier;

  beforeEach(async () => {
    t = await createTestApp({ workers: false });
    verifier = t.get(AuditVerifier);
    const audit = t.get(AuditService);
    for (let n = 1; n <= 5; n += 1) {
      // Rows with every column filled, and rows with the optional ones empty.
      const event =
        n % 2
          ? {
              action: testAction('test.happened'),
              actor: { type: 'agent' as const, id: `agent-${n}` },
              subject: { type: 'account', id: `100000000000000${n}` },
              data: { n, nested: { list: [n] } },
              ip: '203.0.113.7',
            }
          : { action: testAction('test.happened'), actor: { type: 'system' as const }, data: { n } };
      await t.dataSource.transaction((manager) => audit.record(manager, event));
      // One checkpoint per event: 5 checkpoints of sizes 1..5.
      await sequenceAudit(t);
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
  const eventAt = async (seq: number) =>
    ((await t.dataSource.query('SELECT event_id FROM audit_leaves WHERE leaf_index = $1', [seq])) as { event_id: string }[])[0].event_id;

  it('prints ok and the counts when the log holds, and names the altered event when it does not', async () => {
    const ok = await runCli(t, ['audit:verify']);
    expect(ok).toMatchObject({ code: 0, stdout: 'ok 5 events, 5 checkpoints\n' });

    const id = await eventAt(3);
    await tamper(`UPDATE audit_events SET data = '{"n": 33}' WHERE seq = $1`, [id]);
    const broken = await runCli(t, ['audit:verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout.split('\n')[0]).toBe(`altered at seq 3: event ${id} does not match its leaf hash (3 events verified before it)`);
  }, 180_000);

  it('names the event whatever column of whichever event is altered', async () => {
    const original: Record<string, unknown>[] = await t.dataSource.query(
      'SELECT e.*, l.leaf_index::int AS leaf FROM audit_events e JOIN audit_leaves l ON l.event_id = e.seq ORDER BY l.leaf_index',
    );
    expect(original).toHaveLength(5);
    expect(Object.keys(original[0]).sort()).toEqual([...Object.keys(ALTERATIONS), ...NOT_HASHED, 'leaf'].sort());
    for (const row of original) {
      for (const [column, altered] of Object.entries(ALTERATIONS)) {
        await tamper(`UPDATE audit_events SET ${column} = ${altered} WHERE seq = $1`, [row.seq]);
        const verdict = await verifier.verify();
        expect([row.leaf, column, verdict.ok, verdict.brokenAt?.seq, verdict.brokenAt?.kind, verdict.brokenAt?.eventId]).toEqual([
          row.leaf,
          column,
          false,
          row.leaf,
          'altered',
          row.seq,
        ]);
        await tamper(`UPDATE audit_events SET ${column} = $1 WHERE seq = $2`, [row[column], row.seq]);
      }
    }
    await expect(verifier.verify()).resolves.toMatchObject({ ok: true, events: 5, checkpoints: 5 });
  });

  it('names a deleted event', async () => {
    const id = await eventAt(2);
    await tamper('DELETE FROM audit_events WHERE seq = $1', [id]);
    await expect(verifier.verify()).resolves.toMatchObject({
      ok: false,
      events: 2,
      brokenAt: { seq: 2, kind: 'missing', eventId: id, reason: `event ${id} is missing` },
    });
  });

  it('names reordered events', async () => {
    const [one, two] = [await eventAt(1), await eventAt(2)];
    await tamper('UPDATE audit_leaves SET event_id = -1 WHERE leaf_index = 1');
    await tamper('UPDATE audit_leaves SET event_id = $1 WHERE leaf_index = 2', [one]);
    await tamper('UPDATE audit_leaves SET event_id = $1 WHERE leaf_index = 1', [two]);
    await expect(verifier.verify()).resolves.toMatchObject({
      ok: false,
      brokenAt: { seq: 1, kind: 'reordered', eventId: two, reason: `event ${two} was sequenced at seq 2, not here` },
    });
  });

  it('notices a cut-off tail and a leaf taken out of the middle', async () => {
    await tamper('DELETE FROM audit_leaves WHERE leaf_index = 4');
    await tamper('DELETE FROM audit_nodes WHERE level = 0 AND node_index = 4');
    await expect(verifier.verify()).resolves.toMatchObject({
      ok: false,
      events: 4,
      brokenAt: { seq: 4, kind: 'missing', reason: 'the log ends at 4 events but checkpoint 5 signed 5' },
    });
    await tamper('DELETE FROM audit_leaves WHERE leaf_index = 2');
    await expect(verifier.verify()).resolves.toMatchObject({
      ok: false,
      events: 2,
      brokenAt: { seq: 2, kind: 'missing', reason: 'leaf 2 is missing (the next leaf is 3)' },
    });
  });

  it('catches an event rewritten together with every stored hash: the signed checkpoints still give it away', async () => {
    const id = await eventAt(1);
    await tamper(`UPDATE audit_events SET action = 'test.rewritten' WHERE seq = $1`, [id]);
    // Rebuild the stored tree from the rewritten events, as an attacker with database access could.
    await tamper('DELETE FROM audit_nodes');
    await tamper('DELETE FROM audit_checkpoints WHERE size = 5');
    await tamper('UPDATE audit_sequencer SET hashed = 0');
    // Even re-signed with the log's own key, the new checkpoint 5 cannot make the earlier ones fit.
    await t.get(AuditSequencer).run();
    const verdict = await verifier.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.brokenAt).toBeUndefined();
    // Checkpoint 1 (before the rewritten event) holds; 2, 3 and 4 no longer match.
    expect(verdict.checkpointProblems).toEqual([2, 3, 4].map((size) => expect.stringContaining(`checkpoint ${size} (`)));
  });

  it('refuses a checkpoint whose root, size, timestamp, signature or key was altered', async () => {
    const [original] = await t.dataSource.query('SELECT * FROM audit_checkpoints WHERE size = 3');
    for (const change of [
      "root_hash = repeat('a', 64)",
      'size = 33',
      "timestamp = '2020-01-01T00:00:00.000Z'",
      "signature = translate(signature, 'ABCabc', 'BCAbca')",
      "kid = 'someone-else'",
    ]) {
      await tamper(`UPDATE audit_checkpoints SET ${change} WHERE size = 3`);
      const verdict = await verifier.verify();
      expect([change, verdict.ok, verdict.checkpointProblems]).toEqual([
        change,
        false,
        [expect.stringMatching(/^checkpoint 33? .*(signature does not verify|unknown key)/)],
      ]);
      await tamper('DELETE FROM audit_checkpoints WHERE size IN (3, 33)');
      await tamper('INSERT INTO audit_checkpoints SELECT * FROM json_populate_record(null::audit_checkpoints, $1)', [
        JSON.stringify(original),
      ]);
      await expect(verifier.verify()).resolves.toMatchObject({ ok: true, checkpoints: 5 });
    }
  });

  it('reports events left unsequenced for over a minute', async () => {
    await t.dataSource.query(
      `INSERT INTO audit_events (created_at, action, actor_type, data, nonce) VALUES (now() - interval '2 minutes', 'test.stuck', 'system', '{}', repeat('1', 32)) `,
    );
    const [{ seq }] = await t.dataSource.query(`SELECT seq FROM audit_events WHERE action = 'test.stuck'`);
    await expect(verifier.verify()).resolves.toMatchObject({ ok: false, unsequenced: { count: 1, oldestEventId: seq } });
    await sequenceAudit(t);
    await expect(verifier.verify()).resolves.toMatchObject({ ok: true, unsequenced: { count: 0 } });
  });
});
