import { ApiProperty } from '@nestjs/swagger';
import { IsNewPassword } from '../../dto/is-new-password';
import { VerificationTokenDto } from './verification-token.dto';

export class ChangePasswordDto extends VerificationTokenDto {
  /** The policy (length included) is checked by the service, which names every rule broken (422 PASSWORD_POLICY). */
  @ApiProperty({
    format: 'password',
    description: '12 to 128 characters, not common, not containing the logon email or UID, strong enough',
  })
  @IsNewPassword()
  newPassword!: string;
}
