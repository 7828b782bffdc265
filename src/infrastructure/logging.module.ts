import { DynamicModule, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, LogFn, Logger } from 'pino';
import type { Options } from 'pino-http';
import { redactUrl } from '../common/http/redact-url';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** Field names whose values never reach the log, wherever they sit in a logged object. */
export const REDACTED_FIELDS = ['password', 'newPassword', 'currentPassword', 'code', 'token', 'accessToken', 'verificationToken', 'secret', 'totp', 'recoveryCodes', '_csrf'];

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
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
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
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', ...REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`])],
      censor: '[redacted]',
    },
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
