import { ApiProperty } from '@nestjs/swagger';
import { IsUuid } from '../../../common/validation/is-uuid';
import { IsString, Length } from 'class-validator';

/** The code that completes a sign-in answered with 202. */
export class SecondarySignInDto {
  @ApiProperty({ description: 'The `challengeId` of the 202 answer', format: 'uuid' })
  @IsUuid()
  challengeId!: string;

  @ApiProperty({ description: 'The 6-digit code sent, the current TOTP code, or a recovery code', example: '482913' })
  @IsString()
  @Length(1, 32)
  code!: string;
}
