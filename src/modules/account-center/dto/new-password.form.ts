import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';
import { IsNewPassword, NEW_PASSWORD_INPUT_MAX } from '../../accounts/dto/is-new-password';

/** The new logon password, typed twice (the verification token is in the `ac_verified` cookie). */
export class NewPasswordForm extends FormDto {
  @IsOptional()
  @IsNewPassword()
  newPassword?: string;

  /** A page field: the JSON API takes the password once. */
  @IsOptional()
  @IsString()
  @MaxLength(NEW_PASSWORD_INPUT_MAX)
  confirmPassword?: string;
}
