import { AuditAction } from '../../src/modules/audit/audit-actions';
import { AuditSequencer } from '../../src/modules/audit/audit-sequencer.service';
import { TestApp } from './test-app';
import { waitFor } from './wait-for';

/**
 * Runs the audit sequencer until every event committed so far has its leaf and is covered by a
 * checkpoint. The horizon is the oldest transaction running anywhere in the cluster, so another
 * test's open transaction may delay this: it polls (bounded) instead of running once.
 */
export async function sequenceAudit(t: TestApp, timeoutMs = 30_000): Promise<number> {
  const sequencer = t.get(AuditSequencer);
  const { size } = await waitFor(
    async () => {
      await sequencer.run();
      const [row] = (await t.dataSource.query(
        `SELECT (SELECT count(*) FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.event_id = e.seq))::int AS waiting,
                (SELECT count(*) FROM audit_leaves)::int AS leaves,
                (SELECT hashed FROM audit_sequencer)::int AS hashed`,
      )) as { waiting: number; leaves: number; hashed: number }[];
      return row.waiting === 0 && row.leaves === row.hashed && { size: row.hashed };
    },
    { timeoutMs, intervalMs: 50, description: 'every audit event to be sequenced' },
  );
  return size;
}

/** An action outside the catalogue, for the tests of the log itself (the type lets only catalogued names through). */
export function testAction(name: string): AuditAction {
  return name as AuditAction;
}
