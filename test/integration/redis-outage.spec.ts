import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer } from '../../src/infrastructure/postgres/embedded-postgres';
import { startEmbeddedRedis } from '../../src/infrastructure/redis/embedded-redis';
import { ProbeModule } from '../support/probe.module';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

describe('Redis outage', () => {
  let redis: EmbeddedServer;
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'ac-redis-outage-'));

  beforeAll(async () => {
    redis = await startEmbeddedRedis(dir, { persistent: false });
    t = await createTestApp({ imports: [ProbeModule], workers: false, env: { REDIS_URL: redis.url } });
  });

  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('answers 503 while Redis is down and recovers by itself when it returns', async () => {
    await t.http.get('/probe/redis').expect(200);
    await t.http.get('/health/ready').expect(200);

    const port = Number(new URL(redis.url).port);
    await redis.stop();

    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ code: 'UNAVAILABLE', checks: { redis: { status: 'down' }, database: { status: 'up' } } });
    const started = Date.now();
    const response = await t.http
      .get('/probe/redis')
      .expect(503)
      .expect('Content-Type', /application\/problem\+json/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.body).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect(response.headers['retry-after']).toBeDefined();
    expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|ioredis|stack/i);

    redis = await startEmbeddedRedis(dir, { persistent: false, port });
    await waitFor(async () => (await t.http.get('/health/ready')).status === 200, {
      timeoutMs: 15_000,
      description: 'readiness after Redis returns',
    });
    await t.http.get('/probe/redis').expect(200);
  });
});
