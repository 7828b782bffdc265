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

/** Bull Board's own Express app, without the X-Powered-By header the main app leaves out too. */
class QueueBoardAdapter extends ExpressAdapter {
  constructor() {
    super();
    this.app.disable('x-powered-by');
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
