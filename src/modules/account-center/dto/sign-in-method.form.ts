import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** "Try another way" on /login/verify: the method to go on with (the challenge is in the `ac_signin` cookie). */
export class SignInMethodForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(16)
  method?: string;

  /** `recovery-code`: the authenticator challenge, answered with a recovery code. */
  @IsOptional()
  @IsString()
  @MaxLength(16)
  use?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  next?: string;
}
