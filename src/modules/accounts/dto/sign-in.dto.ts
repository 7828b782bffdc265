import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class SignInDto {
  /** A logon email, or `<loginName>@<uid>` for a RAM user. */
  @ApiProperty({ description: 'A logon email, or `<loginName>@<uid>` for a RAM user', example: 'ada@example.com' })
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  login!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;
}
