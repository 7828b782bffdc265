import pino from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactUrl } from '../common/http/redact-url';
import { LogWindow } from '../common/log-window';
import { quietNestStartup, REDACTION, requestLogLevel } from './logging.module';

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
    expect(logged('debug')).toEqual([
      '20 Mapped {/health/live, GET} route',
      '20 AppModule dependencies initialized',
      '30 kept',
      '40 a warning stays a warning',
    ]);
  });
});

describe('REDACTION', () => {
  const logged = (object: object) => {
    const lines: string[] = [];
    pino({ redact: REDACTION }, { write: (line: string) => lines.push(line) }).error(object, 'line');
    return JSON.parse(lines[0]) as Record<string, unknown>;
  };

  it("keeps an error's code (ECONNRESET, a SQLSTATE) and redacts every other code", () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(logged({ err: reset })).toMatchObject({ err: { code: 'ECONNRESET', message: 'socket hang up' } });
    expect(logged({ err: { cause: { code: '40P01' } } })).toMatchObject({ err: { cause: { code: '40P01' } } });
    expect(logged({ code: '482913', data: { code: 'ABCDEFGH23' }, job: { variables: { code: '123456' } } })).toMatchObject({
      code: '[redacted]',
      data: { code: '[redacted]' },
      job: { variables: { code: '[redacted]' } },
    });
    expect(logged({ data: { password: 'x', token: 'y' } })).toMatchObject({ data: { password: '[redacted]', token: '[redacted]' } });
  });
});

describe('requestLogLevel', () => {
  const answer = (statusCode: number) => ({ statusCode }) as ServerResponse;
  const request = {} as IncomingMessage;

  it('logs 503s at warn once per window, the rest of an outage at debug; other 5xx at error', () => {
    let now = 0;
    const level = requestLogLevel(new LogWindow(10_000, () => now));
    expect(level(request, answer(503))).toBe('warn');
    for (let n = 0; n < 100; n += 1) expect(level(request, answer(503))).toBe('debug');
    expect(level(request, answer(500))).toBe('error');
    expect(level(request, answer(404))).toBe('info');
    expect(level(request, answer(200))).toBe('debug');
    now += 10_000;
    expect(level(request, answer(503))).toBe('warn');
  });
});
