import { DynamicModule, Module, Type } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CommonModule } from './common/common.module';
import { ProblemDetailsFilter } from './common/http/problem-details.filter';
import { createValidationPipe } from './common/http/validation.pipe';
import { DatabaseModule } from './database/database.module';
import { LoggingModule } from './infrastructure/logging.module';
import { MetricsModule } from './infrastructure/metrics/metrics.module';
import { QueuesModule } from './infrastructure/queues/queues.module';
import { LimitsModule } from './infrastructure/limits/limits.module';
import { RedisModule } from './infrastructure/redis/redis.module';
import { AccountCenterModule } from './modules/account-center/account-center.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AccountChangesModule } from './modules/accounts/changes/account-changes.module';
import { RecoveryModule } from './modules/accounts/recovery/recovery.module';
import { AdminModule } from './modules/admin/admin.module';
import { AppealsModule } from './modules/appeals/appeals.module';
import { AuditModule } from './modules/audit/audit.module';
import { BackofficeModule } from './modules/backoffice/backoffice.module';
import { QueueBoardModule } from './modules/backoffice/queue-board.module';
import { HealthModule } from './modules/health/health.module';
import { HomeModule } from './modules/home/home.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { ChallengesModule } from './modules/challenges/challenges.module';
import { VerificationModule } from './modules/verification/verification.module';
import { TransportsModule } from './infrastructure/transports/transports.module';
import { WorkersModule } from './workers.module';

export interface AppModuleOptions {
  readonly config: AppConfig;
  /** Load the BullMQ processors and schedules (PROCESS_ROLE `all` or `worker`). */
  readonly workers: boolean;
  /** Further modules, for tests that add probe routes. */
  readonly extraImports?: readonly (Type | DynamicModule)[];
  /** Where the log goes instead of stdout, for tests that read it. */
  readonly logDestination?: DestinationStream;
}

@Module({})
export class AppModule {
  static forRoot({ config, workers, extraImports = [], logDestination }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logDestination),
        CommonModule,
        MetricsModule,
        DatabaseModule,
        RedisModule,
        LimitsModule,
        QueuesModule,
        TransportsModule,
        HealthModule,
        HomeModule,
        AuditModule,
        AccountsModule,
        BackofficeModule,
        QueueBoardModule,
        AdminModule,
        NotificationsModule,
        ChallengesModule,
        AppealsModule,
        VerificationModule,
        AccountChangesModule,
        RecoveryModule,
        AccountCenterModule,
        ...(workers ? [WorkersModule] : []),
        ...extraImports,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
