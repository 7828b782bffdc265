import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

export const REDIS = Symbol('REDIS');

/** Injects the shared ioredis client for rate limits, throttles and leases. */
export const InjectRedis = (): ParameterDecorator => Inject(REDIS);

/**
 * Builds the service's own Redis keys under REDIS_PREFIX (BullMQ has its own prefix option; an
 * ioredis keyPrefix would break its scripts).
 */
@Injectable()
export class RedisKeys {
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = config.redis.prefix;
  }

  key(...parts: (string | number)[]): string {
    return [this.prefix, ...parts].join(':');
  }
}

/**
 * Requests fail at once while Redis is down (no offline queue), so the API answers 503 instead of
 * hanging; the client keeps reconnecting in the background and recovers by itself.
 */
export function createRedisClient(url: string, name: string): Redis {
  const client = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Connection errors surface on each command as it fails; the event would otherwise crash the process.
  client.on('error', () => undefined);
  return client;
}

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedisClient(config.redis.url, `account-center-${config.role}`),
    },
    RedisKeys,
    RedisLifecycle,
  ],
  exports: [REDIS, RedisKeys],
})
export class RedisModule {}
