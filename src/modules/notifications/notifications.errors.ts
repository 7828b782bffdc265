import { DomainError } from '../../common/errors/domain-error';
import { NotificationStatus } from './entities/notification.entity';

/** Only a message that failed (retrying) or is dead can be retried by hand. */
export class NotificationNotRetryableError extends DomainError {
  constructor(status: NotificationStatus) {
    super('TRANSITION_NOT_ALLOWED', `This message is ${status}; only failed or dead messages can be retried.`, {
      notificationStatus: status,
    });
  }
}

/** A worker holds the message's job right now; retrying would race it. */
export class NotificationBeingDeliveredError extends DomainError {
  constructor() {
    super('TRANSITION_NOT_ALLOWED', 'This message is being delivered right now; try again in a moment.');
  }
}
