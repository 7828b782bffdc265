import { IsIn, IsOptional } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** `problems` (the default) shows dead and retrying messages together; the others are one status each. */
export const NOTIFICATION_VIEWS = ['problems', 'failed', 'dead', 'pending', 'queued', 'sent'] as const;
export type NotificationView = (typeof NOTIFICATION_VIEWS)[number];

/** `view`: the list to come back to. */
export class RetryForm extends FormDto {
  @IsOptional()
  @IsIn(NOTIFICATION_VIEWS)
  view?: NotificationView;
}
