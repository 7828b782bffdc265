import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { runMigrations } from './run-migrations';
import { retryTransactionConflicts } from './transaction-retry';
import { typeOrmOptions } from './typeorm-options';

/** PostgreSQL through TypeORM; committed migrations are applied before anything else starts; transactions that lose a deadlock are run again. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...typeOrmOptions(config.database.url, { applicationName: `account-center-${config.role}` }),
        retryAttempts: 0,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        await runMigrations(dataSource);
        // A deadlock victim or a serialization failure runs again instead of answering 500.
        return retryTransactionConflicts(dataSource);
      },
    }),
  ],
})
export class DatabaseModule {}
