import { CliCommand } from '../../common/command-line/cli-command';
import { DomainError } from '../../common/errors/domain-error';
import { NotificationsBackofficeService } from './notifications-backoffice.service';

const USAGE = 'outbox:retry <id|--dead>';

/** `npm run cli -- outbox:retry <id|--dead>`: what the back-office's Retry button does, for operators. */
export const outboxRetryCommand: CliCommand = {
  name: 'outbox:retry',
  usage: USAGE,
  summary: 'Re-queue one failed or dead message by id, or every dead message',
  async run(app, args, out) {
    const [target, ...rest] = args;
    if (!target || rest.length) {
      out.line(`Usage: npm run cli -- ${USAGE}`);
      return 2;
    }
    const notifications = app.get(NotificationsBackofficeService);
    if (target === '--dead') {
      const { requeued, skipped } = await notifications.retryAllDead({ type: 'cli' }, (done, total) =>
        out.progress(done, total, 'Re-queuing dead messages'),
      );
      out.line(
        `Re-queued ${requeued} dead message${requeued === 1 ? '' : 's'}.${skipped ? ` ${skipped} skipped: no longer dead when their turn came.` : ''}`,
      );
      return 0;
    }
    try {
      await notifications.retry(target, { type: 'cli' });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      out.line(`${target}: ${error.detail}`);
      return 1;
    }
    out.line(`Re-queued ${target}.`);
    return 0;
  },
};
