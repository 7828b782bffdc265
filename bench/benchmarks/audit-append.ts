import { Client } from 'pg';
import { waitFor } from '../../tools/wait-for';
import { Benchmark } from '../lib/benchmark';
import { HttpAnswer, HttpClient } from '../lib/http';
import { Figure, percentile } from '../lib/report';
import { BenchSystem, startSystem } from '../lib/system';

const TARGET_RATIO = 0.8;
const TARGET_LAG_MS = 2_000;
const STEPS = [1, 8, 64];
const SAMPLE_EVERY_MS = 100;

interface Step {
  readonly rate: number;
  /** pg_stat_activity samples of this service's backends: how many, and what they waited on. */
  readonly samples: number;
  readonly waits: Map<string, number>;
  /** Backends seen waiting on a heavyweight lock, and those whose blocker was writing an audit event. */
  readonly lockWaits: number;
  readonly auditLockWaits: number;
}

/**
 * Audited changes per second from 1, 8 and 64 concurrent clients, beside the same changes with
 * auditing switched off, in the same run: two services side by side (the second started with
 * AUDIT_DISABLED_FOR_BENCHMARK=1, read only by AuditService), measured in alternating 10-second
 * steps so that the shared machine's drift falls on both alike. A change is a session minted by
 * the admin API then revoked by its holder: two audited transactions that do no password hashing,
 * so the audit write is a large share of their cost. During each step pg_stat_activity is sampled
 * every 100 ms for wait events and lock waits. Then the sequencer lag (event written to event
 * sequenced) of every audited change of the run.
 */
export const auditAppend: Benchmark = {
  name: 'audit-append',
  description: 'audited changes per second from 1, 8 and 64 clients beside the same changes unaudited; wait events; sequencer lag p99',
  async run(context) {
    const stepMs = context.quick ? 2_000 : 10_000;
    const audited = await context.system();
    const unaudited = await startSystem({ AUDIT_DISABLED_FOR_BENCHMARK: '1' });
    const figures: Figure[] = [];
    try {
      const on = await Changes.provision(audited, Math.max(...STEPS));
      const off = await Changes.provision(unaudited, Math.max(...STEPS));
      const started = new Date();
      await on.run(4, 1_000);
      await off.run(4, 1_000);
      for (const clients of STEPS) {
        const withAudit = await measure(audited, () => on.run(clients, stepMs));
        const without = await measure(unaudited, () => off.run(clients, stepMs));
        const ratio = withAudit.rate / without.rate;
        context.log(
          `audit-append: ${clients} clients: ${withAudit.rate.toFixed(0)} audited changes/s beside ${without.rate.toFixed(0)} unaudited (${(ratio * 100).toFixed(0)}%); ` +
            `lock waits ${withAudit.lockWaits} (audit ${withAudit.auditLockWaits}) in ${withAudit.samples} samples; waits: ${describe(withAudit.waits)} | unaudited: ${describe(without.waits)}`,
        );
        figures.push({
          benchmark: 'audit-append',
          figure: `audited changes per second, ${clients} client${clients > 1 ? 's' : ''}`,
          value: Math.round(withAudit.rate),
          unit: '/s',
          limit: {
            name: `the same changes unaudited, ${clients} client${clients > 1 ? 's' : ''}`,
            value: Math.round(without.rate),
            unit: '/s',
          },
          ratio: Math.round(ratio * 1000) / 1000,
          target: clients === 64 ? `≥ ${TARGET_RATIO * 100}% of the unaudited rate` : 'reported',
          met: clients === 64 ? ratio >= TARGET_RATIO : true,
        });
        figures.push({
          benchmark: 'audit-append',
          figure: `backends waiting on another request's audit write, ${clients} client${clients > 1 ? 's' : ''}`,
          value: withAudit.auditLockWaits,
          unit: `of ${withAudit.samples} samples`,
          target: 'none',
          met: withAudit.auditLockWaits === 0,
        });
      }
      const lags = await sequencerLags(audited, started);
      const p99 = percentile(lags, 99);
      context.log(
        `audit-append: sequencer lag over ${lags.length} events: p50 ${percentile(lags, 50).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${Math.max(...lags).toFixed(0)} ms`,
      );
      figures.push({
        benchmark: 'audit-append',
        figure: 'sequencer lag p99 (event written to sequenced)',
        value: Math.round(p99),
        unit: 'ms',
        target: `≤ ${TARGET_LAG_MS} ms`,
        met: p99 <= TARGET_LAG_MS,
      });
      on.close();
      off.close();
    } finally {
      await unaudited.stop();
    }
    return figures;
  },
};

function describe(waits: Map<string, number>): string {
  return (
    [...waits.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ') || 'none'
  );
}

/** Runs `work` while sampling pg_stat_activity of the system's database. */
async function measure(system: BenchSystem, work: () => Promise<number>): Promise<Step> {
  const db = new Client({ connectionString: system.databaseUrl });
  await db.connect();
  const waits = new Map<string, number>();
  let samples = 0;
  let lockWaits = 0;
  let auditLockWaits = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      const rows = (
        await db.query(
          `SELECT a.wait_event_type, a.wait_event,
                EXISTS (SELECT 1 FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid)) AND b.query ILIKE '%audit_events%') AS audit_blocker
           FROM pg_stat_activity a
          WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.state <> 'idle' AND a.backend_type = 'client backend'`,
        )
      ).rows as { wait_event_type: string | null; wait_event: string | null; audit_blocker: boolean }[];
      samples += 1;
      for (const row of rows) {
        if (row.wait_event_type)
          waits.set(`${row.wait_event_type}:${row.wait_event}`, (waits.get(`${row.wait_event_type}:${row.wait_event}`) ?? 0) + 1);
        if (row.wait_event_type === 'Lock') lockWaits += 1;
        if (row.audit_blocker) auditLockWaits += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  })();
  try {
    const rate = await work();
    return { rate, samples, waits, lockWaits, auditLockWaits };
  } finally {
    running = false;
    await sampler;
    await db.end();
  }
}

/** Milliseconds from each audited event of the run being written to its leaf, once all are sequenced. */
async function sequencerLags(system: BenchSystem, since: Date): Promise<number[]> {
  const db = new Client({ connectionString: system.databaseUrl });
  await db.connect();
  try {
    await waitFor(
      async () =>
        (
          await db.query(
            'SELECT NOT EXISTS (SELECT 1 FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.event_id = e.seq)) AS done',
          )
        ).rows[0].done as boolean,
      { timeoutMs: 60_000, intervalMs: 200, description: 'every audit event to be sequenced' },
    );
    const { rows } = await db.query(
      `SELECT extract(epoch FROM (l.sequenced_at - e.created_at)) * 1000 AS lag FROM audit_events e JOIN audit_leaves l ON l.event_id = e.seq WHERE e.created_at >= $1`,
      [since],
    );
    return (rows as { lag: string }[]).map((row) => Number(row.lag));
  } finally {
    await db.end();
  }
}

/** Clients, each with an account of its own: mint a session (admin API), revoke it (its holder). */
class Changes {
  private readonly http: HttpClient;

  private constructor(
    private readonly system: BenchSystem,
    private readonly uids: string[],
  ) {
    this.http = new HttpClient(system.baseUrl, 128);
  }

  static async provision(system: BenchSystem, count: number): Promise<Changes> {
    const stamp = Date.now().toString(36);
    const changes = new Changes(system, []);
    for (let n = 0; n < count; n += 1) {
      const answer = await changes.send(
        'POST',
        '/api/admin/accounts',
        { logonEmail: `bench-audit-${stamp}-${n}@example.com`, password: 'bench password 0123456789' },
        changes.admin(),
      );
      if (answer.status !== 201) throw new Error(`creating an account answered ${answer.status}: ${answer.body}`);
      changes.uids.push((JSON.parse(answer.body) as { uid: string }).uid);
    }
    return changes;
  }

  /** `clients` loops for `durationMs`; returns audited changes (two per loop) per second. */
  async run(clients: number, durationMs: number): Promise<number> {
    let changes = 0;
    const started = Date.now();
    const deadline = started + durationMs;
    await Promise.all(
      this.uids.slice(0, clients).map(async (uid) => {
        do {
          const minted = await this.send(
            'POST',
            '/api/admin/sessions',
            { uid, principal: { type: 'ram_role', name: 'bench-auditor' } },
            this.admin(),
          );
          if (minted.status !== 201) throw new Error(`minting a session answered ${minted.status}: ${minted.body}`);
          const { token } = JSON.parse(minted.body) as { token: string };
          const revoked = await this.send('DELETE', '/api/v1/sessions/current', undefined, { Authorization: `Bearer ${token}` });
          if (revoked.status !== 204) throw new Error(`revoking the session answered ${revoked.status}: ${revoked.body}`);
          changes += 2;
        } while (Date.now() < deadline);
      }),
    );
    return changes / ((Date.now() - started) / 1000);
  }

  close(): void {
    this.http.close();
  }

  private admin(): Record<string, string> {
    return { Authorization: `Bearer ${this.system.adminToken}` };
  }

  private send(method: string, path: string, payload: unknown, headers: Record<string, string>): Promise<HttpAnswer> {
    return this.http.send(method, path, payload, headers);
  }
}
