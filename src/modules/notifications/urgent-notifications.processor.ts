import { Processor } from '@nestjs/bullmq';
import { QueueName } from '../../infrastructure/queues/queue-names';
import { DELIVERY_WORKER_OPTIONS } from '../../infrastructure/queues/retry-policy';
import { DeliveryProcessor } from './delivery.processor';

/** Verification codes: a queue of their own, so a backlog of notices never delays them. */
@Processor(QueueName.NotificationsUrgent, DELIVERY_WORKER_OPTIONS)
export class UrgentNotificationsProcessor extends DeliveryProcessor {}
