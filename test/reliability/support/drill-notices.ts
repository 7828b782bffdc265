import { randomUUID } from 'node:crypto';
import { Notice, NotificationsService } from '../../../src/modules/notifications/notifications.service';
import { TestApp } from '../../support/test-app';

/**
 * The `index`-th message of a drill that drives the outbox directly: verification codes (the
 * urgent queue) and password-change notices (the normal queue) in turn, each to an address of
 * its own, by `channel`.
 */
export function drillNotice(tag: string, index: number, channel: 'email' | 'sms'): Notice {
  const to = channel === 'email' ? `${tag}-${index}@example.com` : `+86139${String(index).padStart(8, '0')}`;
  if (index % 2 === 0)
    return {
      template: 'verification-code',
      channel,
      to,
      variables: { code: String(100000 + index), expiresInMinutes: 10, purpose: 'change_password' },
    };
  const uid = String(2081536794400000 + index);
  return {
    template: 'password-changed',
    channel,
    to,
    accountUid: uid,
    variables: { uid, at: new Date().toISOString(), revertUrl: `http://127.0.0.1/secure/revert/${randomUUID()}` },
  };
}

/** Commits `notice` as a change does: its own transaction, enqueued after the commit. Returns the message id. */
export function commitNotice(t: TestApp, notice: Notice): Promise<string> {
  return t.dataSource.transaction((manager) => t.get(NotificationsService).notify(manager, notice));
}

/** Outbox rows of `ids` by status, e.g. `{ sent: 540 }`. */
export async function statusesOf(t: TestApp, ids: readonly string[]): Promise<Record<string, number>> {
  const rows: { status: string; n: number }[] = await t.dataSource.query(
    `SELECT status, count(*)::int AS n FROM notifications WHERE id = ANY($1) GROUP BY status`,
    [ids],
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}
