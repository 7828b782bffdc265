import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsUuid } from '../../../common/validation/is-uuid';
import { IsObject, IsOptional, IsString, Length } from 'class-validator';

/** The code that completes a sign-in answered with 202. */
export class SecondarySignInDto {
  @ApiProperty({ description: 'The `challengeId` of the 202 answer', format: 'uuid' })
  @IsUuid()
  challengeId!: string;

  @ApiPropertyOptional({ description: 'The 6-digit code sent, the current TOTP code, or a recovery code', example: '482913' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  code?: string;

  @ApiPropertyOptional({
    description: 'For a `passkey` challenge: an `AuthenticationResponseJSON`, as the browser gives it',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  credential?: Record<string, unknown>;
}
