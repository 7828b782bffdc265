import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';

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
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const sweeper = setInterval(() => server.closeIdleConnections(), 100);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, deadlineMs);
    });
    server.closeIdleConnections();
    await Promise.race([closed, deadline]);
    clearInterval(sweeper);
    clearTimeout(timer);
  }
}
