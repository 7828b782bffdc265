import { IsString, MaxLength, MinLength } from 'class-validator';

export class SignInDto {
  /** A logon email, or `<loginName>@<uid>` for a RAM user. */
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  login!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;
}
