import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { DevOutboxService } from './dev-outbox.service';
import { Notification } from './entities/notification.entity';
import { NotificationDeliverer } from './notification-deliverer';
import { NotificationMetrics } from './notification-metrics';
import { DevOutboxPagesController } from './dev-outbox.pages.controller';
import { NotificationsBackofficeService } from './notifications-backoffice.service';
import { NotificationsService } from './notifications.service';
import { OutboxRelay } from './outbox-relay';
import { SentSecrets } from './sent-secrets.service';
import { TemplateRenderer } from './template-renderer';

/** The outbox, its relay to BullMQ, templates and delivery. Its processors are provided by WorkersModule. */
@Module({
  imports: [TypeOrmModule.forFeature([Notification]), AuditModule],
  controllers: [DevOutboxPagesController],
  providers: [
    NotificationsService,
    OutboxRelay,
    TemplateRenderer,
    NotificationDeliverer,
    NotificationMetrics,
    DevOutboxService,
    NotificationsBackofficeService,
    SentSecrets,
  ],
  exports: [NotificationsService, NotificationsBackofficeService, OutboxRelay, NotificationDeliverer, TemplateRenderer, SentSecrets],
})
export class NotificationsModule {}
