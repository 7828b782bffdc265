import { Processor } from '@nestjs/bullmq';
import { QueueName } from '../../infrastructure/queues/queue-names';
import { WORKER_SETTINGS } from '../../infrastructure/queues/retry-policy';
import { DeliveryProcessor } from './delivery.processor';

/** Verification codes: a queue of their own, so a backlog of notices never delays them. */
@Processor(QueueName.NotificationsUrgent, { concurrency: 32, ...WORKER_SETTINGS })
export class UrgentNotificationsProcessor extends DeliveryProcessor {}
