import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class PasswordResetDto {
  /** Judged by the password policy (422 PASSWORD_POLICY), not here: only absurd sizes stop at validation. */
  @ApiProperty({ description: '12 to 128 characters, checked by the password policy.' })
  @IsString()
  @MaxLength(1024)
  newPassword!: string;
}
