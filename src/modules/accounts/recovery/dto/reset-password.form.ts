import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../../common/http/form.dto';
import { IsNewPassword, NEW_PASSWORD_INPUT_MAX } from '../../dto/is-new-password';

/** Fields are optional here so an empty one comes back as a message beside it, not a 400 page. */
export class ResetPasswordForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  code?: string;

  @IsOptional()
  @IsNewPassword()
  newPassword?: string;

  /** A page field: the new password typed again (the JSON API takes it once). */
  @IsOptional()
  @IsString()
  @MaxLength(NEW_PASSWORD_INPUT_MAX)
  confirmPassword?: string;
}
