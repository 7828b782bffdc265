import { DataSource } from 'typeorm';

/**
 * PostgreSQL SQLSTATEs of a transaction that lost a race and was rolled back whole: 40P01
 * (deadlock detected: PostgreSQL picked it as the victim) and 40001 (serialization failure).
 * Running the same transaction again is the documented remedy; nothing of the first run stayed.
 */
const RETRYABLE = new Set(['40P01', '40001']);

/** Attempts of one transaction, the first included; after the last, the error goes on (answered 503). */
export const TRANSACTION_ATTEMPTS = 4;

export function isTransactionConflict(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, driverError, cause } = error as { code?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof code === 'string' && RETRYABLE.has(code)) return true;
  return isTransactionConflict(driverError, depth + 1) || isTransactionConflict(cause, depth + 1);
}

/**
 * Makes every `dataSource.transaction(...)` of the service run again, after a short random
 * pause, when PostgreSQL rolls it back as a deadlock victim or for a serialization failure, up
 * to TRANSACTION_ATTEMPTS times: the one transaction helper every service already calls, so no
 * call site can forget it. The callback must be safe to run again (it is: whatever it wrote was
 * rolled back; work it defers to after the commit is set by the run that commits).
 * Nested transactions (savepoints, `manager.transaction`) are not retried on their own: the
 * outermost transaction is.
 */
export function retryTransactionConflicts(dataSource: DataSource, pause: (attempt: number) => Promise<void> = jitteredPause): DataSource {
  const transaction = dataSource.transaction.bind(dataSource) as (...args: unknown[]) => Promise<unknown>;
  const retrying = async (...args: unknown[]): Promise<unknown> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await transaction(...args);
      } catch (error) {
        if (attempt >= TRANSACTION_ATTEMPTS || !isTransactionConflict(error)) throw error;
        await pause(attempt);
      }
    }
  };
  Object.defineProperty(dataSource, 'transaction', { value: retrying, configurable: true, writable: true });
  return dataSource;
}

/** 5-25 ms, growing with each attempt: long enough for the winner to commit, short for a request. */
function jitteredPause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, attempt * (5 + Math.random() * 20)));
}
