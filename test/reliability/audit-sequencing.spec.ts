import { testAction } from '../support/audit';
import { AuditEventInput, AuditService } from '../../src/modules/audit/audit.service';
import { AUDIT_SEQUENCER_LOCK, AuditSequencer } from '../../src/modules/audit/audit-sequencer.service';
import { AuditVerifier } from '../../src/modules/audit/audit-verifier.service';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/**
 * A transaction that commits late must be neither skipped nor misplaced by the audit sequencer.
 * The sequencer's horizon is the oldest transaction running anywhere in the PostgreSQL cluster, so
 * this runs in the single-worker reliability suite, not beside the parallel jest databases.
 */
describe('Audit sequencing with a transaction that commits late', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
  });

  afterAll(async () => {
    await t?.close();
  });

  const event = (name: string): AuditEventInput => ({ action: testAction(`test.${name}`), actor: { type: 'system' } });
  const placed = async () =>
    (await t.dataSource.query('SELECT e.action FROM audit_leaves l JOIN audit_events e ON e.seq = l.event_id ORDER BY l.leaf_index')) as {
      action: string;
    }[];

  it('holds later events back while an earlier transaction is open, then places them all in (xid, id) order', async () => {
    const audit = t.get(AuditService);
    const sequencer = t.get(AuditSequencer);
    const late = t.dataSource.createQueryRunner();
    await late.connect();
    await late.startTransaction();
    try {
      // The late transaction gets its xid now (its first write), and writes its event only later.
      await late.query('SELECT pg_current_xact_id()');
      await t.dataSource.transaction((manager) => audit.record(manager, event('early_one')));
      await t.dataSource.transaction((manager) => audit.record(manager, event('early_two')));
      for (let run = 0; run < 3; run += 1) {
        await expect(sequencer.run()).resolves.toMatchObject({ ran: true, placed: 0 });
      }
      await audit.record(late.manager, event('late'));
      await expect(sequencer.run()).resolves.toMatchObject({ ran: true, placed: 0 });
      expect(await placed()).toEqual([]);
    } finally {
      await late.commitTransaction();
      await late.release();
    }
    // Other clients of the cluster may hold the horizon a moment longer: poll, bounded.
    const actions = await waitFor(
      async () => {
        await sequencer.run();
        const rows = await placed();
        return rows.length === 3 && rows.map((row) => row.action);
      },
      { timeoutMs: 60_000, intervalMs: 100, description: 'the three events to be sequenced' },
    );
    expect(actions).toEqual(['test.late', 'test.early_one', 'test.early_two']);
    await expect(t.get(AuditVerifier).verify()).resolves.toMatchObject({ ok: true, events: 3 });
  });

  it('never lets two runs overlap: a run that finds the lock taken does nothing', async () => {
    await t.dataSource.transaction((manager) => t.get(AuditService).record(manager, event('while_locked')));
    const holder = t.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_SEQUENCER_LOCK]);
      await expect(t.get(AuditSequencer).run()).resolves.toEqual({ ran: false });
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    await waitFor(async () => (await t.get(AuditSequencer).run()).ran && (await placed()).length === 4, {
      timeoutMs: 60_000,
      intervalMs: 100,
      description: 'the event to be sequenced',
    });
  });
});
