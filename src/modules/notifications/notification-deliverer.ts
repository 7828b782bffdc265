import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { UnrecoverableError } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import { Not, Repository } from 'typeorm';
import { CryptoService } from '../../common/crypto/crypto.service';
import { DeliveryError } from '../../infrastructure/transports/delivery-error';
import { EMAIL_TRANSPORT, EmailTransport } from '../../infrastructure/transports/email-transport';
import { SMS_TRANSPORT, SmsTransport } from '../../infrastructure/transports/sms-transport';
import { Notification } from './entities/notification.entity';
import { NotificationMetrics } from './notification-metrics';
import { Locale } from './notification-templates';
import { TemplateRenderer } from './template-renderer';

export interface Attempt {
  /** Attempts already made before this one. */
  readonly made: number;
  readonly max: number;
}

/**
 * Delivers one outbox row: renders it, hands it to its transport, records the outcome. A row
 * already sent is never sent again (a redelivered job does nothing), and a sent row keeps no
 * secret: its sealed variables are wiped in the same update that marks it sent.
 */
@Injectable()
export class NotificationDeliverer {
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
    const row = await this.notifications.findOneBy({ id: notificationId });
    if (!row || row.status === 'sent' || row.status === 'dead') return;

    let providerMessageId: string;
    try {
      providerMessageId = await this.send(row);
    } catch (error) {
      await this.recordFailure(row, error, attempt);
      return;
    }
    // Marking it sent wipes its sealed secrets in the same statement.
    await this.notifications.query(
      `UPDATE notifications
          SET status = 'sent', sent_at = now(), updated_at = now(), attempts = attempts + 1, provider_message_id = $2, last_error = NULL,
              payload = payload || '{"sealed": null}'::jsonb
        WHERE id = $1 AND status <> 'sent'`,
      [row.id, providerMessageId],
    );
    this.metrics.sent.inc({ template: row.template, channel: row.channel });
  }

  private async send(row: Notification): Promise<string> {
    const variables = { ...row.payload.data, ...(row.payload.sealed ? (JSON.parse(this.crypto.unseal(row.payload.sealed)) as Record<string, unknown>) : {}) };
    const locale = row.locale as Locale;
    if (row.channel === 'sms') {
      return this.sms.send({ id: row.id, template: row.template, to: row.recipient, body: this.renderer.renderSms(row.template, locale, variables) });
    }
    return this.email.send({ id: row.id, template: row.template, to: row.recipient, ...this.renderer.renderEmail(row.template, locale, variables) });
  }

  /**
   * Records the failed attempt and hands the verdict to BullMQ: throw to retry (with the shared
   * backoff), UnrecoverableError to stop. A transport's permanent refusal, a template that cannot
   * render and the last allowed attempt all end the message as `dead`.
   */
  private async recordFailure(row: Notification, error: unknown, attempt: Attempt): Promise<never> {
    const message = error instanceof Error ? error.message : String(error);
    const permanent = !(error instanceof DeliveryError) || error.permanent;
    const dead = permanent || attempt.made + 1 >= attempt.max;
    await this.notifications.update({ id: row.id, status: Not('sent') }, { status: dead ? 'dead' : 'failed', attempts: row.attempts + 1, lastError: message.slice(0, 1000) });
    this.metrics.failed.inc({ template: row.template, channel: row.channel });
    this.logger.warn({ notificationId: row.id, template: row.template, channel: row.channel, attempt: attempt.made + 1, dead, reason: message }, 'delivery failed');
    throw dead ? new UnrecoverableError(message) : error;
  }
}
