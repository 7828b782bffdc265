import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { MetricsService } from '../../infrastructure/metrics/metrics.service';
import { MetricsTokenGuard } from './metrics-token.guard';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly metrics: MetricsService,
  ) {}

  /** The process is up; says nothing of its dependencies. */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** PostgreSQL and Redis both answer; 503 otherwise. */
  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.database.pingCheck('database', { timeout: 1_500 }), () => this.redis.isHealthy('redis')]);
  }

  /** Prometheus text, for `Authorization: Bearer $METRICS_TOKEN` only (401 otherwise; 404 with no token configured). */
  @Get('metrics')
  @UseGuards(MetricsTokenGuard)
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
