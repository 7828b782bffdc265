import { types } from 'node:util';

/**
 * Tells whether an error means PostgreSQL or Redis cannot be reached right now (answered as
 * 503 UNAVAILABLE) rather than a bug (500). Errors come from pg, TypeORM and ioredis, which
 * share no class hierarchy, so the test looks at codes and messages.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
]);
// PostgreSQL SQLSTATEs: 08xxx connection exceptions, 57P01-57P03 shutdown / cannot connect now, 53300 too many connections,
// 40P01 / 40001 a deadlock or serialization failure still lost after the transaction's retries (database/transaction-retry.ts).
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300|40P01|40001)$/;
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /enableOfflineQueue/i,
  /Reached the max retries per request limit/i,
  /Redis is unavailable/i,
  /the database system is (starting up|shutting down)/i,
  /terminating connection due to administrator command/i,
];

/**
 * TypeORM releases a query runner whose connection emitted an error (the server went away mid
 * transaction) and answers the runner's next query, COMMIT included, with one of the last two
 * (the second when the query goes through the transaction's EntityManager) rather than the
 * connection's own error.
 */
const OUTAGE_NAMES = new Set(['MaxRetriesPerRequestError', 'QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

export function isInfrastructureOutage(error: unknown, depth = 0): boolean {
  // Socket errors are made by Node's core, whose Error may be another realm's than ours (jest's
  // VM contexts, worker threads): `instanceof Error` alone would miss them.
  if (!(error instanceof Error || types.isNativeError(error)) || depth > 3) return false;
  const { code, driverError, cause } = error as Error & { code?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_UNAVAILABLE.test(code))) return true;
  if (OUTAGE_NAMES.has(error.name)) return true;
  if (MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  return isInfrastructureOutage(driverError, depth + 1) || isInfrastructureOutage(cause, depth + 1);
}
