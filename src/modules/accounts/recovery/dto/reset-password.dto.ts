import { ApiProperty } from '@nestjs/swagger';
import { IsNewPassword } from '../../dto/is-new-password';
import { CodeDto } from '../../../challenges/dto/code.dto';

export class ResetPasswordDto extends CodeDto {
  /** Judged by the password policy (422 PASSWORD_POLICY), not here: only absurd sizes stop at validation. */
  @ApiProperty({
    format: 'password',
    description: '12 to 128 characters, not common, not containing the logon email or UID, strong enough',
  })
  @IsNewPassword()
  newPassword!: string;
}
