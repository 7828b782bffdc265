import { ApiProperty } from '@nestjs/swagger';
import { IsNewPassword } from '../../accounts/dto/is-new-password';

export class PasswordResetDto {
  /** Judged by the password policy (422 PASSWORD_POLICY), not here: only absurd sizes stop at validation. */
  @ApiProperty({ description: '12 to 128 characters, checked by the password policy.' })
  @IsNewPassword()
  newPassword!: string;
}
