import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { UnrecoverableError } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import { Not, Repository } from 'typeorm';
import { Batcher } from '../../common/batcher';
import { CryptoService } from '../../common/crypto/crypto.service';
import { DeliveryError } from '../../infrastructure/transports/delivery-error';
import { EMAIL_TRANSPORT, EmailTransport } from '../../infrastructure/transports/email-transport';
import { SMS_TRANSPORT, SmsTransport } from '../../infrastructure/transports/sms-transport';
import { Notification } from './entities/notification.entity';
import { NotificationMetrics } from './notification-metrics';
import { TemplateRenderer } from './template-renderer';
import { Locale } from '../../common/locales';

export interface Attempt {
  /** Attempts already made before this one. */
  readonly made: number;
  readonly max: number;
}

/** What delivery reads of an outbox row. */
type DeliveryRow = Pick<Notification, 'id' | 'template' | 'channel' | 'recipient' | 'locale' | 'payload' | 'status' | 'attempts'>;

interface SentMark {
  readonly id: string;
  readonly providerMessageId: string;
}

/**
 * Delivers one outbox row: renders it, hands it to its transport, records the outcome. A row
 * already sent is never sent again (a redelivered job does nothing), and a sent row keeps no
 * secret: its sealed variables are wiped in the same update that marks it sent.
 *
 * Concurrent deliveries share their round trips to PostgreSQL: the rows they read leave in one
 * SELECT, and their "sent" marks in one UPDATE (a group commit: one WAL flush for many). Each
 * job still finishes only once its own row is marked, so nothing is acknowledged early.
 */
@Injectable()
export class NotificationDeliverer {
  private readonly rows = new Batcher<string, DeliveryRow | undefined>((ids) => this.load(ids));
  private readonly sentMarks = new Batcher<SentMark, void>((marks) => this.markSent(marks));

  constructor(
    @InjectRepository(Notification) private readonly notifications: Repository<Notification>,
    @Inject(EMAIL_TRANSPORT) private readonly email: EmailTransport,
    @Inject(SMS_TRANSPORT) private readonly sms: SmsTransport,
    private readonly renderer: TemplateRenderer,
    private readonly crypto: CryptoService,
    private readonly metrics: NotificationMetrics,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(NotificationDeliverer.name);
  }

  async deliver(notificationId: string, attempt: Attempt): Promise<void> {
    const row = await this.rows.call(notificationId);
    if (!row || row.status === 'sent' || row.status === 'dead') return;

    let providerMessageId: string;
    try {
      providerMessageId = await this.send(row);
    } catch (error) {
      await this.recordFailure(row, error, attempt);
      return;
    }
    await this.sentMarks.call({ id: row.id, providerMessageId });
    this.metrics.sent.inc({ template: row.template, channel: row.channel });
  }

  private async load(ids: string[]): Promise<(DeliveryRow | undefined)[]> {
    const found: DeliveryRow[] = await this.notifications.query(
      `SELECT id, template, channel, recipient, locale, payload, status, attempts FROM notifications WHERE id = ANY($1)`,
      [ids],
    );
    const byId = new Map(found.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }

  /** Marks rows sent and wipes their sealed secrets, in one statement. */
  private async markSent(marks: SentMark[]): Promise<void[]> {
    await this.notifications.query(
      `UPDATE notifications AS n
          SET status = 'sent', sent_at = now(), updated_at = now(), attempts = n.attempts + 1, provider_message_id = sent.provider_message_id,
              last_error = NULL, payload = n.payload || '{"sealed": null}'::jsonb
         FROM unnest($1::uuid[], $2::text[]) AS sent(id, provider_message_id)
        WHERE n.id = sent.id AND n.status <> 'sent'`,
      [marks.map((mark) => mark.id), marks.map((mark) => mark.providerMessageId)],
    );
    return marks.map(() => undefined);
  }

  private async send(row: DeliveryRow): Promise<string> {
    const variables = {
      ...row.payload.data,
      ...(row.payload.sealed ? (JSON.parse(this.crypto.unseal(row.payload.sealed)) as Record<string, unknown>) : {}),
    };
    const locale = row.locale as Locale;
    if (row.channel === 'sms') {
      return this.sms.send({
        id: row.id,
        template: row.template,
        to: row.recipient,
        body: this.renderer.renderSms(row.template, locale, variables),
      });
    }
    return this.email.send({
      id: row.id,
      template: row.template,
      to: row.recipient,
      ...this.renderer.renderEmail(row.template, locale, variables),
    });
  }

  /**
   * Records the failed attempt and hands the verdict to BullMQ: throw to retry (with the shared
   * backoff), UnrecoverableError to stop. A transport's permanent refusal, a template that cannot
   * render and the last allowed attempt all end the message as `dead`.
   */
  private async recordFailure(row: DeliveryRow, error: unknown, attempt: Attempt): Promise<never> {
    const message = error instanceof Error ? error.message : String(error);
    const permanent = !(error instanceof DeliveryError) || error.permanent;
    const dead = permanent || attempt.made + 1 >= attempt.max;
    await this.notifications.update(
      { id: row.id, status: Not('sent') },
      { status: dead ? 'dead' : 'failed', attempts: row.attempts + 1, lastError: message.slice(0, 1000) },
    );
    this.metrics.failed.inc({ template: row.template, channel: row.channel });
    this.logger.warn(
      { notificationId: row.id, template: row.template, channel: row.channel, attempt: attempt.made + 1, dead, reason: message },
      'delivery failed',
    );
    throw dead ? new UnrecoverableError(message) : error;
  }
}
