import pino from 'pino';
import { redactUrl } from '../common/http/redact-url';
import { quietNestStartup } from './logging.module';

describe('redactUrl', () => {
  it('hides tokens carried in paths', () => {
    expect(redactUrl('/api/v1/security-reverts/abc123')).toBe('/api/v1/security-reverts/[redacted]');
    expect(redactUrl('/secure/revert/abc?x=1')).toBe('/secure/revert/[redacted]?x=1');
    expect(redactUrl('/reset-password/tok')).toBe('/reset-password/[redacted]');
    expect(redactUrl('/api/v1/appeal-objections/t0k/')).toBe('/api/v1/appeal-objections/[redacted]/');
  });

  it('hides sensitive query parameters and keeps the rest', () => {
    expect(redactUrl('/x?token=a&page=2&code=123456')).toBe('/x?token=%5Bredacted%5D&page=2&code=%5Bredacted%5D');
    expect(redactUrl('/agent/appeals?status=submitted')).toBe('/agent/appeals?status=submitted');
  });
});

describe('quietNestStartup', () => {
  const logged = (level: string) => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level, hooks: { logMethod: quietNestStartup } }, { write: (line: string) => lines.push(JSON.parse(line)) });
    logger.info({ context: 'RouterExplorer' }, 'Mapped {/health/live, GET} route');
    logger.info({ context: 'InstanceLoader' }, 'AppModule dependencies initialized');
    logger.info({ context: 'Bootstrap' }, 'kept');
    logger.warn({ context: 'NestApplication' }, 'a warning stays a warning');
    return lines.map((line) => `${line.level} ${line.msg}`);
  };

  it("keeps Nest's start-up lines out of an info log, and everything else in it", () => {
    expect(logged('info')).toEqual(['30 kept', '40 a warning stays a warning']);
  });

  it('writes them at debug', () => {
    expect(logged('debug')).toEqual(['20 Mapped {/health/live, GET} route', '20 AppModule dependencies initialized', '30 kept', '40 a warning stays a warning']);
  });
});
