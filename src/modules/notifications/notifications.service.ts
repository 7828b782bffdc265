import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CryptoService } from '../../common/crypto/crypto.service';
import { JsonObject, JsonValue } from '../../common/json';
import { NotificationPayload, NotificationPriority } from './entities/notification.entity';
import { NotificationChannel, TemplateId, templateSpec, variableProblems } from './notification-templates';
import { OutboxRelay } from './outbox-relay';
import { Locale } from '../../common/locales';

/** Where a notice's time zone travels in its payload. */
export const TIME_ZONE_VARIABLE = 'timeZone';

export interface Notice {
  readonly template: TemplateId;
  readonly channel: NotificationChannel;
  /** An email address, or an E.164 phone number. */
  readonly to: string;
  readonly locale?: Locale;
  /** The zone the message prints times in (the account's); absent or null: the locale's (Asia/Shanghai for zh-CN, UTC for en). */
  readonly timeZone?: string | null;
  /** Every variable of the template; the catalogue's secret ones are sealed before they touch the table. */
  readonly variables: Readonly<Record<string, JsonValue>>;
  readonly accountUid?: string;
  readonly appealId?: string;
}

/** The values of a new outbox row (status `pending`). */
export interface OutboxRow {
  readonly id: string;
  readonly template: TemplateId;
  readonly channel: NotificationChannel;
  readonly recipient: string;
  readonly locale: Locale;
  readonly payload: NotificationPayload;
  readonly priority: NotificationPriority;
  readonly accountUid: string | null;
  readonly appealId: string | null;
}

/**
 * A notice as its outbox row: checked against the catalogue (a notice the templates cannot
 * render whole fails here, in the caller's transaction, not later as a dead message), its
 * secret variables sealed apart from the others.
 */
export function outboxRow(notice: Notice, crypto: CryptoService): OutboxRow {
  const spec = templateSpec(notice.template);
  if (!spec.channels.includes(notice.channel)) throw new Error(`template ${notice.template} is not sent by ${notice.channel}`);
  const problems = variableProblems(notice.template, notice.variables);
  if (problems.length) throw new Error(`template ${notice.template}: ${problems.join(', ')}`);
  const data: JsonObject = {};
  const secrets: JsonObject = {};
  for (const [key, value] of Object.entries(notice.variables)) (spec.secrets.includes(key) ? secrets : data)[key] = value;
  // Kept beside the variables (no template names it): the renderer's `date` helper reads it.
  if (notice.timeZone) data[TIME_ZONE_VARIABLE] = notice.timeZone;
  return {
    id: randomUUID(),
    template: notice.template,
    channel: notice.channel,
    recipient: notice.to,
    locale: notice.locale ?? 'en',
    payload: { data, sealed: Object.keys(secrets).length ? crypto.seal(JSON.stringify(secrets)) : null },
    priority: spec.urgent ? 'urgent' : 'normal',
    accountUid: notice.accountUid ?? null,
    appealId: notice.appealId ?? null,
  };
}

/** The one way anything sends a message: an outbox row in the caller's transaction. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly crypto: CryptoService,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * Writes the message into the outbox with `manager` (so it commits or rolls back with the
   * change that causes it) and has it enqueued right after the commit. Returns its id.
   */
  async notify(manager: EntityManager, notice: Notice): Promise<string> {
    const row = outboxRow(notice, this.crypto);
    await manager.query(
      `INSERT INTO notifications (id, template, channel, recipient, locale, payload, status, priority, account_uid, appeal_id)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9)`,
      [
        row.id,
        row.template,
        row.channel,
        row.recipient,
        row.locale,
        JSON.stringify(row.payload),
        row.priority,
        row.accountUid,
        row.appealId,
      ],
    );
    this.relay.afterCommit(manager, { id: row.id, priority: row.priority });
    return row.id;
  }
}
