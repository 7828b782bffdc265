import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsNewPassword } from '../../accounts/dto/is-new-password';

/**
 * The body of `POST /api/v1/password-resets/:token`: the link a completed appeal sends (not the
 * forgot-password recovery of `accounts/recovery`). The schema keeps its published name.
 */
@ApiSchema({ name: 'PasswordResetDto' })
export class AppealPasswordResetDto {
  /** Judged by the password policy (422 PASSWORD_POLICY), not here: only absurd sizes stop at validation. */
  @ApiProperty({ description: '12 to 128 characters, checked by the password policy.' })
  @IsNewPassword()
  newPassword!: string;
}
