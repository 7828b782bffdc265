import { escapeLiteral } from 'pg';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

// pg's own conversion of a parameter to its text form (Dates in the local zone with offset, arrays, JSON); untyped by @types/pg.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => unknown };

/** Writes (a WITH must hold one), whose results the callers do not read: what `inOneRoundTrip` may send on their behalf. */
const isWrite = (sql: string) =>
  /^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql) || (/^\s*WITH\b/i.test(sql) && /\b(INSERT|UPDATE|DELETE)\b/i.test(sql));

/**
 * Runs `work` as a transaction whose statements reach PostgreSQL in one round trip, for hot
 * paths that only write (a challenge, its outbox row and its audit event). `work` gets a manager
 * that records each write instead of sending it and answers it with no rows; once `work` has
 * returned, the writes leave as one multi-statement query, which PostgreSQL runs as one
 * transaction (all commit or none does). A transaction of N writes costs one round trip instead
 * of N + 2 (BEGIN and COMMIT), and holds no pooled connection while `work` waits on anything else.
 *
 * Subscribers hear of the commit (or the rollback) as of any transaction: the outbox relay
 * enqueues what the transaction wrote only once it has committed. A statement that is not a
 * write (its result would be read) is refused: use a real transaction for those.
 *
 * Parameters travel as literals, as the extended protocol would have sent them in text
 * (pg's own conversion, then pg's own quoting).
 */
export async function inOneRoundTrip<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const statements: { sql: string; parameters?: unknown[] }[] = [];
  const send = runner.query.bind(runner) as (sql: string, parameters?: unknown[]) => Promise<unknown>;
  runner.query = (async (sql: string, parameters?: unknown[]) => {
    if (!isWrite(sql)) throw new Error(`inOneRoundTrip sends writes only, not: ${sql.trim().slice(0, 60)}`);
    statements.push({ sql, parameters });
    return [];
  }) as QueryRunner['query'];
  // Seen as a transaction under way (the outbox relay waits for its commit), though nothing is sent yet.
  setTransactionActive(runner, true);
  try {
    const result = await work(runner.manager);
    if (statements.length === 1) await send(statements[0].sql, statements[0].parameters);
    else if (statements.length) await send(statements.map(({ sql, parameters }) => withLiterals(sql, parameters ?? [])).join(';\n'));
    setTransactionActive(runner, false);
    await broadcast(dataSource, runner, 'afterTransactionCommit');
    return result;
  } catch (error) {
    if (runner.isTransactionActive) {
      setTransactionActive(runner, false);
      await broadcast(dataSource, runner, 'afterTransactionRollback');
    }
    throw error;
  } finally {
    await runner.release();
  }
}

/** `sql` with each `$n` replaced by the literal of parameter n. */
export function withLiterals(sql: string, parameters: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, index: string) => literal(parameters[Number(index) - 1]));
}

function literal(value: unknown): string {
  const prepared = prepareValue(value);
  if (prepared === null || prepared === undefined) return 'NULL';
  if (typeof prepared !== 'string') throw new Error(`inOneRoundTrip cannot send a ${typeof prepared} parameter as a literal`);
  return escapeLiteral(prepared);
}

function setTransactionActive(runner: QueryRunner, active: boolean): void {
  (runner as { isTransactionActive: boolean }).isTransactionActive = active;
}

async function broadcast(
  dataSource: DataSource,
  runner: QueryRunner,
  event: 'afterTransactionCommit' | 'afterTransactionRollback',
): Promise<void> {
  for (const subscriber of dataSource.subscribers)
    await subscriber[event]?.({ connection: dataSource, queryRunner: runner, manager: runner.manager });
}
