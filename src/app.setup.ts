import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import hbs from 'hbs';
import { Logger } from 'nestjs-pino';
import { dirname, join } from 'node:path';
import { AppConfig } from './config/app-config';
import { apiEdge } from './common/http/api-edge';
import { inputShapeGuard } from './common/http/input-shape';
import { pageLocale } from './common/i18n/page-locale';
import { pageTexts } from './common/i18n/page-texts';
import { registerPartials, registerViewHelpers, VIEWS_DIR } from './common/views/view-engine';
import { MetricsService } from './infrastructure/metrics/metrics.service';
import { httpMetricsMiddleware } from './infrastructure/metrics/http-metrics.middleware';
import { QUEUE_BOARD_PATH } from './modules/backoffice/queue-board-path';

export const PROJECT_ROOT = join(__dirname, '..');
const PUBLIC_DIR = join(PROJECT_ROOT, 'public');
/** Where the pages load `@simplewebauthn/browser` from (its UMD bundle: the global `SimpleWebAuthnBrowser`). */
export const WEBAUTHN_BROWSER_PATH = '/static/vendor/simplewebauthn-browser.js';
const WEBAUTHN_BROWSER_BUNDLE = join(dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js');

/** JSON and form bodies; uploads go through multer with their own limits. */
export const BODY_LIMIT = '64kb';

/**
 * Everything about the HTTP edge that lives outside Nest's module graph: logging, headers,
 * bodies, views, static files and the API docs. Shared by `main.ts` and the tests.
 */
export function configureHttpApp(app: NestExpressApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');

  app.use(securityHeaders(config));
  app.use(noStore);
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.use(apiEdge());
  app.use(cookieParser());
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { extended: false, limit: BODY_LIMIT });
  app.use(inputShapeGuard());
  app.use(pageLocale());

  pageTexts();

  registerViewHelpers(hbs.handlebars);
  registerPartials(hbs.handlebars, join(VIEWS_DIR, 'partials'));
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  if (config.env === 'production') app.enable('view cache');
  // The WebAuthn browser library, served by path (the package exports only its module entry), under the same `script-src 'self'`.
  app.use(WEBAUTHN_BROWSER_PATH, (_request: Request, response: Response) =>
    response.sendFile(WEBAUTHN_BROWSER_BUNDLE, { maxAge: config.env === 'production' ? '1d' : 0 }),
  );
  app.useStaticAssets(PUBLIC_DIR, { prefix: '/static/', maxAge: config.env === 'production' ? '1d' : 0, index: false });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Account Center API')
      .setDescription('Security settings of cloud accounts, identity verification and appeals. Errors are RFC 9457 problem documents.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Session token, appeal access token or ADMIN_API_TOKEN' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', customSiteTitle: 'Account Center API' });
}

/**
 * `Cache-Control: no-store` on every answer but the static files (which set their own): the
 * signed-in pages, the pages that show a secret (a TOTP secret, recovery codes, an access
 * token) and the API answers that carry tokens, codes and secrets must never sit in a browser's
 * or a proxy's cache, and every other page carries a CSRF token bound to its session. One rule
 * for all of them, so a new page or answer cannot forget it; a handler may still loosen it.
 */
function noStore(req: Request, res: Response, next: NextFunction): void {
  if (!req.path.startsWith('/static/')) res.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * Helmet with a strict CSP: scripts, styles and images from this origin only, no inline
 * script anywhere. The third-party UIs of the API docs and of Bull Board (/agent/queues) need
 * inline styles (and the board a <base> of its own). No third-party origin anywhere: the board's
 * page is served without its Google Fonts stylesheet (queue-board.module.ts).
 */
function securityHeaders(config: AppConfig) {
  const https = config.http.secureCookies;
  const directives = {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    upgradeInsecureRequests: https ? [] : null,
  };
  const strict = helmet({ contentSecurityPolicy: { useDefaults: false, directives }, hsts: https, crossOriginEmbedderPolicy: false });
  const docs = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...directives, styleSrc: ["'self'", "'unsafe-inline'"] } },
    hsts: https,
    crossOriginEmbedderPolicy: false,
  });
  const board = helmet({
    // Bull Board's page also sets <base href> to its own path.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...directives, styleSrc: ["'self'", "'unsafe-inline'"], baseUri: ["'self'"] },
    },
    hsts: https,
    crossOriginEmbedderPolicy: false,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/api/docs')) return docs(req, res, next);
    if (req.path === QUEUE_BOARD_PATH || req.path.startsWith(`${QUEUE_BOARD_PATH}/`)) return board(req, res, next);
    return strict(req, res, next);
  };
}
