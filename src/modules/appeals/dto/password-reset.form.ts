import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';
import { IsNewPassword, NEW_PASSWORD_INPUT_MAX } from '../../accounts/dto/is-new-password';

/** `/reset-password/:token`. */
export class PasswordResetForm extends FormDto {
  @IsOptional() @IsNewPassword() newPassword?: string;
  /** A page field: the new password typed again. */
  @IsOptional() @IsString() @MaxLength(NEW_PASSWORD_INPUT_MAX) confirmPassword?: string;
}
