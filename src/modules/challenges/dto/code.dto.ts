import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** A code answering a challenge: 6 digits sent or read from an authenticator app, or a recovery code in place of a TOTP code. */
export class CodeDto {
  @ApiProperty({ example: '482913' })
  @IsString()
  @Length(1, 32)
  code!: string;
}
