import { DataSource, Migration } from 'typeorm';

// Any 64-bit constant; it names the lock that keeps two starting processes from migrating at once.
const MIGRATION_LOCK = 7_302_118_845_001;

/** Applies pending migrations under a PostgreSQL advisory lock, so any number of processes may start together. */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
