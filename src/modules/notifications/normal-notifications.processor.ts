import { Processor } from '@nestjs/bullmq';
import { QueueName } from '../../infrastructure/queues/queue-names';
import { DELIVERY_WORKER_OPTIONS } from '../../infrastructure/queues/retry-policy';
import { DeliveryProcessor } from './delivery.processor';

/** Security notices and appeal messages. */
@Processor(QueueName.NotificationsNormal, DELIVERY_WORKER_OPTIONS)
export class NormalNotificationsProcessor extends DeliveryProcessor {}
