import { DynamicModule, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, LogFn, Logger } from 'pino';
import type { Options } from 'pino-http';
import { redactUrl } from '../common/http/redact-url';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { LogWindow, OUTAGE_LOG_WINDOW_MS } from '../common/log-window';

/** Field names whose values never reach the log, wherever they sit in a logged object. */
export const REDACTED_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'code',
  'token',
  'accessToken',
  'verificationToken',
  'secret',
  'totp',
  'recoveryCodes',
  '_csrf',
];

/**
 * `code` is a secret (a verification or recovery code) in request bodies, job data and message
 * variables, and an error's name elsewhere (`err.code`: ECONNRESET, 40P01), which the log must
 * show. So it is redacted under the objects that may carry a secret one, not everywhere.
 */
const SECRET_CODE_PARENTS = [
  'body',
  'data',
  'variables',
  'payload',
  'context',
  'extras',
  'input',
  'request',
  'job',
  'notice',
  'message',
  'form',
];

/** pino's `redact` option: headers that carry credentials, REDACTED_FIELDS three levels deep, and the secret-bearing `code`s. */
export const REDACTION = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'res.headers["set-cookie"]',
    ...REDACTED_FIELDS.filter((field) => field !== 'code').flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
    'code',
    ...SECRET_CODE_PARENTS.flatMap((parent) => [`${parent}.code`, `*.${parent}.code`]),
  ],
  censor: '[redacted]',
};

/**
 * The request log's level for an answer: errors and 5xx at error, except 503 (an outage answers
 * every request so): one per window at warn, the rest at debug. 4xx at info, the rest at debug.
 */
export function requestLogLevel(outages: LogWindow) {
  return (_req: IncomingMessage, res: ServerResponse, error?: Error): 'error' | 'warn' | 'info' | 'debug' => {
    if (res.statusCode === 503) return outages.admit() ? 'warn' : 'debug';
    return error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug';
  };
}

const QUIET_PATHS = /^\/(health|metrics|static|favicon)/;
/** Nest's start-up lines: a module initialised, a route mapped (over 200 of them at each start). */
const NEST_STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);
const INFO = 30;
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** pino hook: Nest's start-up lines go to debug; at info they buried the start banner and said nothing an operator acts on. */
export function quietNestStartup(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number): void {
  const [first] = args as unknown[];
  const context = typeof first === 'object' && first !== null ? (first as { context?: unknown }).context : undefined;
  if (level === INFO && typeof context === 'string' && NEST_STARTUP_CONTEXTS.has(context)) return this.debug(...args);
  return method.apply(this, args);
}

/** pino-http's options: request ids, levels by status, and nothing secret in any line. */
function pinoHttpOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    base: { role: config.role },
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    hooks: { logMethod: quietNestStartup },
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.test(req.url ?? '') },
    customLogLevel: requestLogLevel(new LogWindow(OUTAGE_LOG_WINDOW_MS)),
    serializers: {
      // Only what helps to follow a request: never headers, cookies or bodies.
      req: (req: { id: string; method: string; url: string; headers: Record<string, string | undefined>; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        userAgent: req.headers['user-agent'],
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    redact: REDACTION,
  };
}

@Module({})
export class LoggingModule {
  /** `destination`: where the log goes instead of stdout (the security tests read what was logged). */
  static forRoot(destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({ pinoHttp: destination ? [pinoHttpOptions(config), destination] : pinoHttpOptions(config) }),
        }),
      ],
    };
  }
}
