import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { CsrfInvalidError } from '../../common/errors/domain-error';
import { CsrfService } from '../../common/http/csrf.service';
import { QueueName } from '../../infrastructure/queues/queue-names';
import { AgentAuthGuard, assertRole } from './agent-auth.guard';
import { AGENT_SESSION_COOKIE } from '../agents/agent-sessions.service';
import { BackofficeModule } from './backoffice.module';
import { QUEUE_BOARD_PATH } from './queue-board-path';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Bull Board's page links this web-font stylesheet; the page is served without it (see `boardPage`). */
const THIRD_PARTY_FONTS = /<link\b[^>]*\bhref="https:\/\/fonts\.googleapis\.com\/[^"]*"[^>]*>\s*/g;

/**
 * A way back that needs neither the board's script nor its menu: a plain link, fixed near a corner
 * of the page (the board's own header is fixed at the top). Inline style: the board's CSP allows it.
 */
const BACK_LINK =
  '<a id="back-to-backoffice" href="/agent" style="position:fixed;left:1rem;bottom:2.75rem;z-index:1000;padding:.45rem .8rem;border-radius:6px;background:#14213d;color:#fff;font:600 14px/1.2 system-ui,sans-serif;text-decoration:none;box-shadow:0 2px 8px rgba(0,0,0,.3)">← Back-office</a>';

/**
 * Bull Board's page as we serve it: without its Google Fonts stylesheet (our CSP admits no
 * third-party origin, and an agent's browser need not tell Google who opens the board; the
 * board falls back to the system's sans-serif) and with a link back to the back-office.
 */
export function boardPage(html: string): string {
  return html.replace(THIRD_PARTY_FONTS, '').replace(/<body\b[^>]*>/, (body) => `${body}\n${BACK_LINK}`);
}

/**
 * Bull Board's own Express app, without the X-Powered-By header the main app leaves out too,
 * and whose page goes through `boardPage`.
 */
class QueueBoardAdapter extends ExpressAdapter {
  constructor() {
    super();
    this.app.disable('x-powered-by');
    // Registered before the board's routes: its one page is rendered, then rewritten.
    this.app.use((_request: Request, response: Response, next: NextFunction) => {
      const render = response.render.bind(response);
      response.render = (view: string, options?: object) =>
        render(view, options ?? {}, (error: Error | null, html: string) =>
          error ? next(error) : response.type('html').send(boardPage(html)),
        );
      next();
    });
  }
}

/**
 * Bull Board at /agent/queues for supervisors and admins. It is Express middleware, outside
 * Nest's guards, so the same agent session check runs in front of it (and of its JSON API and
 * assets). It is read-only: a message is retried through the outbox (/agent/notifications),
 * which resets its row, never by replaying its job here.
 */
@Module({
  imports: [
    BullBoardModule.forRootAsync({
      imports: [BackofficeModule],
      inject: [AgentAuthGuard, CsrfService],
      useFactory: (guard: AgentAuthGuard, csrf: CsrfService) => ({
        route: QUEUE_BOARD_PATH,
        adapter: QueueBoardAdapter,
        boardOptions: {
          uiConfig: { boardTitle: 'Account Center queues', hideDocsLink: true, miscLinks: [{ text: 'Back-office', url: '/agent' }] },
        },
        // Nest hands a rejected promise to the problem filter: 303 to the sign-in form, or 403.
        middleware: async (request: Request, response: Response, next: NextFunction) => {
          // Like every back-office form: no unsafe request without a token of the agent's session.
          if (!SAFE_METHODS.has(request.method)) {
            csrf.bind(request, response, { sessionCookie: AGENT_SESSION_COOKIE });
            if (!csrf.isValid(request)) throw new CsrfInvalidError();
          }
          assertRole(await guard.authenticate(request, response), 'supervisor');
          next();
        },
      }),
    }),
    BullBoardModule.forFeature(
      ...Object.values(QueueName).map((name) => ({ name, adapter: BullMQAdapter, options: { readOnlyMode: true } })),
    ),
  ],
})
export class QueueBoardModule {}
