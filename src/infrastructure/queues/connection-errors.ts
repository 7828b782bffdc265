import { PinoLogger } from 'nestjs-pino';

/** Anything BullMQ that reports its Redis connection's errors as `error` events: a Queue, a Worker. */
interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Logs the connection errors of a BullMQ queue or worker through pino, at most one line per
 * `intervalMs` (with how many it left out). Without a listener BullMQ prints each one, stack and
 * all, with console.error: while Redis is down that is several a second per queue and worker,
 * past the log level and the redaction of the structured log.
 */
export function logConnectionErrors(emitter: ErrorEmitter, source: string, logger: PinoLogger, intervalMs = 10_000): void {
  let lastAt = 0;
  let left = 0;
  emitter.on('error', (error) => {
    const now = Date.now();
    if (now - lastAt < intervalMs) {
      left += 1;
      return;
    }
    logger.warn({ source, reason: error.message, alsoLeftOut: left }, 'queue connection error; BullMQ keeps reconnecting');
    lastAt = now;
    left = 0;
  });
}
