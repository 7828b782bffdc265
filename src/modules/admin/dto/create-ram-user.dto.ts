import { Matches } from 'class-validator';
import { LOGIN_NAME } from '../../accounts/login';
import { IsNewPassword } from '../../accounts/dto/is-new-password';

export class CreateRamUserDto {
  /** Letters, digits, `.`, `_` and `-`; the RAM user signs in as `<loginName>@<uid>`. */
  @Matches(LOGIN_NAME, { message: 'must be 1 to 64 letters, digits, ".", "_" or "-"' })
  loginName!: string;

  @IsNewPassword({ policyLength: true })
  password!: string;
}
