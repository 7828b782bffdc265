import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';

/** Emitted on the HTTP server when it starts draining. */
export const HTTP_DRAINING = 'account-center:draining';

/**
 * Stops HTTP intake without cutting requests short: the listener closes, idle keep-alive
 * connections are closed, busy ones get `Connection: close` on their answer and end with it.
 */
export class HttpDrain {
  private draining = false;

  readonly middleware = (_req: Request, res: Response, next: NextFunction): void => {
    if (this.draining) res.setHeader('Connection', 'close');
    next();
  };

  /** Resolves when every connection has ended, or after `deadlineMs` with the stragglers cut. */
  async drain(server: Server, deadlineMs: number): Promise<void> {
    this.draining = true;
    // Long-lived answers (the back-office's event streams) end at once instead of holding the drain.
    server.emit(HTTP_DRAINING);
    // From the check phase, after the poll phase has read what clients had already sent: a
    // request whose bytes were still in the socket's buffer is then under way, not idle. Closed
    // earlier (server.close() closes idle connections too), such a connection was reset with its
    // request unanswered, the more often the faster requests are answered.
    const closeIdle = () => setImmediate(() => server.closeIdleConnections());
    const closed = new Promise<void>((resolve) => setImmediate(() => server.close(() => resolve())));
    const sweeper = setInterval(closeIdle, 100);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, deadlineMs);
    });
    await Promise.race([closed, deadline]);
    clearInterval(sweeper);
    clearTimeout(timer);
  }
}
