import { Processor } from '@nestjs/bullmq';
import { QueueName } from '../../infrastructure/queues/queue-names';
import { WORKER_SETTINGS } from '../../infrastructure/queues/retry-policy';
import { DeliveryProcessor } from './delivery.processor';

/** Security notices and appeal messages. */
@Processor(QueueName.NotificationsNormal, { concurrency: 32, ...WORKER_SETTINGS })
export class NormalNotificationsProcessor extends DeliveryProcessor {}
