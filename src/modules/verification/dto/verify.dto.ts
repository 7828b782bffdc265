import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length } from 'class-validator';

/** What answers a verification: a code, or for `passkey` a WebAuthn assertion. */
export class VerifyDto {
  @ApiPropertyOptional({ description: 'The 6-digit code sent, the current TOTP code, or a recovery code', example: '482913' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  code?: string;

  @ApiPropertyOptional({
    description: 'For `passkey`: an `AuthenticationResponseJSON`, as the browser gives it; other members are ignored',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  credential?: Record<string, unknown>;
}
