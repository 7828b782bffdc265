/**
 * What global-setup prepared for this run, passed to jest workers through the environment:
 * a migrated template database, a Redis server and a run id.
 */
export interface TestEnvironment {
  /** The migrated database each test app copies (CREATE DATABASE ... TEMPLATE). */
  readonly templateDatabaseUrl: string;
  readonly redisUrl: string;
  readonly runId: string;
}

const KEYS = { templateDatabaseUrl: 'AC_TEST_TEMPLATE_DATABASE_URL', redisUrl: 'AC_TEST_REDIS_URL', runId: 'AC_TEST_RUN_ID' } as const;

export function writeTestEnvironment(environment: TestEnvironment): void {
  for (const [field, variable] of Object.entries(KEYS)) process.env[variable] = environment[field as keyof TestEnvironment];
}

export function readTestEnvironment(): TestEnvironment {
  const read = (variable: string) => {
    const value = process.env[variable];
    if (!value)
      throw new Error(`${variable} is not set: run the tests through jest (npm test), whose global setup prepares PostgreSQL and Redis.`);
    return value;
  };
  return { templateDatabaseUrl: read(KEYS.templateDatabaseUrl), redisUrl: read(KEYS.redisUrl), runId: read(KEYS.runId) };
}

export { databaseName, databaseUrl } from '../../tools/database-url';
