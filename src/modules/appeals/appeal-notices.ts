import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { JsonValue } from '../../common/json';
import { TemplateId } from '../notifications/notification-templates';
import { NotificationsService } from '../notifications/notifications.service';
import { Appeal } from './entities/appeal.entity';

/** Appeal templates that go to the person, at the contact email they verified. */
export type ContactTemplate = Extract<
  TemplateId,
  | 'appeal-received'
  | 'appeal-access-token'
  | 'appeal-info-requested'
  | 'appeal-scheduled'
  | 'appeal-completed'
  | 'appeal-rejected'
  | 'appeal-closed'
  | 'appeal-reminder'
>;

/** Writes the person's notices into the outbox, in the caller's transaction, in the appeal's locale. */
@Injectable()
export class AppealNotices {
  constructor(private readonly notifications: NotificationsService) {}

  toContact(
    manager: EntityManager,
    appeal: Pick<Appeal, 'id' | 'reference' | 'contactEmail' | 'locale'>,
    template: ContactTemplate,
    variables: Record<string, JsonValue> = {},
  ): Promise<string> {
    return this.notifications.notify(manager, {
      template,
      channel: 'email',
      to: appeal.contactEmail,
      locale: appeal.locale,
      variables: { reference: appeal.reference, ...variables },
      appealId: appeal.id,
    });
  }
}
