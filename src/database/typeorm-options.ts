import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface PoolOptions {
  /** Connections in the pool. */
  readonly size?: number;
  readonly applicationName?: string;
}

/** The one definition of how the service talks to PostgreSQL; `synchronize` is never on. */
export function typeOrmOptions(url: string, pool: PoolOptions = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    logging: false,
    applicationName: pool.applicationName ?? 'account-center',
    extra: {
      max: pool.size ?? 20,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // A stuck query must not hold a request (or a lock) forever.
      statement_timeout: 15_000,
      idle_in_transaction_session_timeout: 30_000,
    },
  };
}
