import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { DomainError, SignInRequiredError } from '../errors/domain-error';
import { isInfrastructureOutage } from '../errors/infrastructure-outage';
import { ProblemCode } from '../errors/problem-codes';
import { LogWindow, OUTAGE_LOG_WINDOW_MS } from '../log-window';
import { ProblemDocument, problemDocument } from './problem-document';
import { redactUrl } from './redact-url';
import { localeOf } from '../i18n/page-locale';
import { hasText, translate } from '../i18n/page-texts';

interface Classified {
  readonly code: ProblemCode;
  readonly detail: string;
  readonly extras?: Readonly<Record<string, unknown>>;
  readonly retryAfterSeconds?: number;
}

const HTTP_STATUS_CODES: Partial<Record<number, ProblemCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** Errors raised by Express middleware (body-parser, multer) before a handler runs. */
interface MiddlewareError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  code?: string;
}

/**
 * The single place where failures become HTTP: a problem document for API clients, the
 * error page for browsers. No stack trace, SQL or internal name leaves this filter.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly outages = new LogWindow(OUTAGE_LOG_WINDOW_MS);

  constructor(@Inject(PinoLogger) private readonly logger: PinoLogger) {
    logger.setContext(ProblemDetailsFilter.name);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const correlationId = String(request.id ?? '');
    const classified = this.classify(exception, correlationId);
    // The path may carry a bearer secret (revert, objection, reset links): it is named the way the log names it.
    const instance = request.originalUrl ? redactUrl(request.originalUrl.split('?')[0]) : undefined;
    const problem = problemDocument(classified.code, classified.detail, classified.extras, instance);

    if (response.headersSent) {
      response.end();
      return;
    }
    if (exception instanceof SignInRequiredError) {
      // Pages behind a sign-in send the browser to its form rather than show an error.
      response.redirect(303, exception.signInPath);
      return;
    }
    if (classified.retryAfterSeconds !== undefined) {
      response.setHeader('Retry-After', String(Math.max(1, Math.ceil(classified.retryAfterSeconds))));
    }
    response.status(problem.status);
    if (wantsHtml(request)) {
      // A public page in another language words the problem in it (the back-office and English keep the document's own).
      const locale = localeOf(response);
      const shown =
        locale === 'en'
          ? problem
          : {
              ...problem,
              title: translate(
                locale,
                hasText(`problems:titles.${classified.code}`) ? `problems:titles.${classified.code}` : 'common:errorPage.title',
              ),
              detail: hasText(`problems:${classified.code}`)
                ? translate(locale, `problems:${classified.code}`, { seconds: classified.retryAfterSeconds })
                : problem.detail,
            };
      response.render('error', { title: shown.title, problem: shown, correlationId: problem.correlationId });
      return;
    }
    response.type('application/problem+json').send(JSON.stringify(problem satisfies ProblemDocument));
  }

  private classify(exception: unknown, correlationId: string): Classified {
    if (exception instanceof DomainError) {
      return { code: exception.code, detail: exception.detail, extras: exception.extras, retryAfterSeconds: exception.retryAfterSeconds };
    }
    if (isInfrastructureOutage(exception)) {
      // An outage fails every request: one line per window at warn, the rest at debug.
      const opened = this.outages.admit();
      if (opened) this.logger.warn({ err: exception, correlationId, heldBack: opened.heldBack }, 'dependency unavailable');
      else this.logger.debug({ err: exception, correlationId }, 'dependency unavailable');
      return {
        code: 'UNAVAILABLE',
        detail: 'A service we depend on is unavailable. Please try again shortly.',
        extras: { correlationId },
        retryAfterSeconds: 5,
      };
    }
    const middleware = fromMiddleware(exception);
    if (middleware) return middleware;
    if (exception instanceof HttpException && exception.getStatus() === HttpStatus.SERVICE_UNAVAILABLE) {
      // Terminus reports a failed readiness check this way; keep its per-dependency verdicts.
      const body = exception.getResponse() as { details?: unknown };
      return {
        code: 'UNAVAILABLE',
        detail: 'A service we depend on is unavailable.',
        extras: body.details ? { checks: body.details } : {},
        retryAfterSeconds: 5,
      };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const code = HTTP_STATUS_CODES[exception.getStatus()] ?? (exception.getStatus() === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED');
      return { code, detail: httpDetail(exception, code) };
    }
    this.logger.error({ err: exception, correlationId }, 'unexpected failure');
    return {
      code: 'INTERNAL',
      detail: `Please try again. If it keeps failing, quote reference ${correlationId}.`,
      extras: { correlationId },
    };
  }
}

function fromMiddleware(exception: unknown): Classified | undefined {
  if (!(exception instanceof Error)) return undefined;
  const error = exception as MiddlewareError;
  switch (error.type ?? error.code) {
    case 'entity.parse.failed':
      return {
        code: 'VALIDATION_FAILED',
        detail: 'The body is not valid JSON.',
        extras: { errors: [{ field: '', message: 'is not valid JSON' }] },
      };
    case 'entity.too.large':
    case 'LIMIT_FILE_SIZE':
      return { code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is too large.' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'The request body encoding is not supported.' };
    default:
      return undefined;
  }
}

function httpDetail(exception: HttpException, code: ProblemCode): string {
  if (code === 'NOT_FOUND') return 'There is nothing at this address.';
  if (exception.getStatus() === HttpStatus.METHOD_NOT_ALLOWED) return 'This address does not accept this method.';
  const body = exception.getResponse();
  const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
  return typeof message === 'string' ? message : exception.message;
}

/** Browsers asking for a page get the error page; everything else (and all of /api) gets JSON. */
function wantsHtml(request: Request): boolean {
  if (request.path.startsWith('/api/') || request.path.startsWith('/health')) return false;
  return request.accepts(['application/json', 'text/html']) === 'text/html';
}
