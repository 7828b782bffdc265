import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { runMigrations } from './run-migrations';
import { SingleUseLinksService } from './single-use-links';
import { retryTransactionConflicts } from './transaction-retry';
import { typeOrmOptions } from './typeorm-options';

/**
 * PostgreSQL through TypeORM; committed migrations are applied before anything else starts; transactions that lose a deadlock are run again.
 * Global for the helpers every module's tables use (single-use links).
 */
@Global()
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
  providers: [SingleUseLinksService],
  exports: [SingleUseLinksService],
})
export class DatabaseModule {}
