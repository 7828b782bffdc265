import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { EMAIL_TRANSPORT, EmailTransport } from './email-transport';
import { OutboxTransport } from './outbox.transport';
import { SMS_TRANSPORT } from './sms-transport';
import { SmtpEmailTransport } from './smtp-email.transport';
import { WebhookSmsTransport } from './webhook-sms.transport';

@Injectable()
class TransportsShutdown implements OnApplicationShutdown {
  constructor(@Inject(EMAIL_TRANSPORT) private readonly email: EmailTransport) {}

  async onApplicationShutdown(): Promise<void> {
    await this.email.close();
  }
}

/** Picks the email and SMS transports from the config; the workers never know which. */
@Global()
@Module({
  providers: [
    {
      provide: EMAIL_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.mail.smtpUrl
          ? new SmtpEmailTransport(config.mail.smtpUrl, config.mail.from)
          : new OutboxTransport(config.devOutbox.dir, config.mail.from),
    },
    {
      provide: SMS_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.sms.provider === 'webhook'
          ? new WebhookSmsTransport(config.sms.webhookUrl, config.sms.webhookSecret)
          : new OutboxTransport(config.devOutbox.dir, config.mail.from),
    },
    TransportsShutdown,
  ],
  exports: [EMAIL_TRANSPORT, SMS_TRANSPORT],
})
export class TransportsModule {}
